"""Panels on the household page from the apps above the registry, so the registry never imports them.

An app registers its panel in its AppConfig.ready() (policy: the latest assessments; monitoring and assistance
will add their case and pairing panels the same way)::

    from fupin.registry import panels

    panels.register("policy.assessments", "policy/_household_assessments.html", household_panel)

`household_panel(request, household)` returns the panel's context: a dict the template reads as `panel`. The
household page includes each registered template, in registration order, between the household's fields and its
members; the template sees the page's context too (`user`, `household`, `csrf_token`). The callable reads only
what the user may see: it gets the request and calls its own app's scoped services.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str  # unique, "<app>.<what>"; registering a name again replaces that panel in its place
    template: str
    context: Callable  # (request, household) -> dict


#: the panels of each page that takes them: "household" (the registry's household page), and pages of the apps above
#: that show their siblings' panels the same way (funds' project page: "funds.project")
_panels: dict[str, dict[str, Panel]] = {}


def register(name: str, template: str, context: Callable, *, page: str = "household") -> None:
    _panels.setdefault(page, {})[name] = Panel(name, template, context)


def panels_of(page: str, request, record) -> list[dict]:
    """What a page includes: each panel's template and context (context(request, record)), in registration order."""
    return [{"template": p.template, "context": p.context(request, record)} for p in _panels.get(page, {}).values()]


def household_panels(request, household) -> list[dict]:
    """What the household page includes: each panel's template and context, in registration order."""
    return panels_of("household", request, household)
