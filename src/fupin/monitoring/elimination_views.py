"""风险消除's doors on the web: 启动风险消除 from policy's flagged list of a risk-elimination run (the households the
engine found eligible, one or the ticked ones), and 撤销风险消除 with its reason on the case that eliminated the risk.
Both only call services.elimination, which re-judges, scopes and audits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fupin.core.errors import DomainError
from fupin.policy.models import Kind
from fupin.policy.services.queries import listed_runs

from .action_views import back_to_list, case_or_404, escape, picked_households, refused_page
from .services import elimination


@login_required
@require_POST
def start_from_run(request):
    """启动风险消除 for the households picked on the run's flagged list."""
    run = listed_runs(request.user, Kind.RISK_ELIMINATION).filter(pk=request.POST.get("run") or 0).first()
    if run is None:
        raise Http404(_("未找到该评估批次"))
    try:
        started = elimination.start_elimination(
            request.user, picked_households(request), on=timezone.localdate(), via="ui"
        )
    except DomainError as error:
        escape(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("已对 %(count)s 户启动风险消除程序") % {"count": len(started)})
    return back_to_list(request)


@login_required
@require_POST
def reverse(request, pk):
    """撤销风险消除 on the approved elimination case: the household is monitored again, the reason on the event."""
    case = case_or_404(request, pk)
    try:
        elimination.reverse_case(
            request.user, case, on=timezone.localdate(), reason=request.POST.get("reason", ""), via="ui"
        )
    except DomainError as error:
        escape(error)
        return refused_page(request, case, error)
    messages.success(request, _("已撤销风险消除，该户恢复为监测对象"))
    return redirect("monitoring:case-detail", pk=case.pk)
