"""A project's notices for the board, as a printable page: the village notice of 村提议, the county's notice of
县审定 and the completion notice (完工公告). What a notice shows is the project's public record — place, content and
scale, cost and its sources, implementer, period, benefit mechanism and targets, the number of households it
benefits — never a household's name or personal field."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fupin.areas.models import Level

from .. import codes
from ..services import disbursements, projects

#: the notices a project has, each with the step whose notice period it prints
KINDS = {
    "village": (codes.StepCode.VILLAGE, gettext_lazy("项目公示")),
    "county": (codes.StepCode.COUNTY, gettext_lazy("项目审定结果公示")),
    "completion": (None, gettext_lazy("项目竣工公告")),
}


def _issuer(project, kind: str) -> str:
    path = project.area.path()
    village = next((a for a in path if a.level == Level.VILLAGE), None)
    county = next((a for a in path if a.level == Level.COUNTY), None)
    if kind == "village" and village is not None:
        return _("%(village)s村民委员会") % {"village": village.name}
    if kind == "county" and county is not None:
        return _("%(county)s巩固拓展脱贫攻坚成果和乡村振兴领导小组") % {"county": county.name}
    return project.implementer or (county.name if county else "")


@login_required
@require_GET
def project_notice(request, pk, kind):
    if kind not in KINDS:
        raise Http404(_("没有这种公告"))
    project = projects.project_of(request.user, pk)
    step, title = KINDS[kind]
    row = project.steps.filter(step=step, decision=codes.Decision.APPROVE).order_by("-id").first() if step else None
    paid = disbursements.paid_by_source(project)
    funding = [
        {"name": f.source.name, "amount": f.amount, "paid": paid.get(f.source_id)}
        for f in project.funding.select_related("source").order_by("id")
    ]
    context = {
        "project": project,
        "title": _("关于%(name)s的%(kind)s") % {"name": project.name, "kind": title},
        "kind": kind,
        "row": row,
        "issuer": _issuer(project, kind),
        "funding": funding,
        "targets": project.targets.all(),
        "households": project.beneficiaries.count(),
    }
    return render(request, "funds/projects/notice.html", context)


urls = [path("projects/<int:pk>/notice/<str:kind>/", project_notice, name="project-notice")]
