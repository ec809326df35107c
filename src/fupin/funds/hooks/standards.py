"""What the standards topic plugs in: the project subsidy panel on funds' project page ("funds.project", which
includes every panel registered for it as the household page does). The pack's standards section is the policy
app's own (policy.pack_standards), so nothing is registered for it here."""

from fupin.registry import panels


def project_panel(request, project) -> dict:
    from ..views.standards import subsidy_panel_context

    return subsidy_panel_context(project)


def connect():
    panels.register("funds.subsidy", "funds/standards/_project_subsidy.html", project_panel, page="funds.project")
