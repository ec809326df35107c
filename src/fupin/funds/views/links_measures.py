"""Pages of the links topic: the fund and project that pay an assistance measure. The measure's page (assistance)
shows the panel (registry.panels, page "assistance.measure", hooks.links) with the form posting here; a refusal
re-renders the form on its own page with the service's Chinese message by its field, so nothing typed is lost; a
role or area refusal escapes to the 403/404 pages."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fupin.core.errors import DomainError, NotFound, PermissionDenied

from ..services import measure_funding as service


class FundingForm(forms.Form):
    source_id = forms.ChoiceField(label=gettext_lazy("资金来源"))
    project_id = forms.ChoiceField(label=gettext_lazy("项目"), required=False)
    amount = forms.CharField(
        label=gettext_lazy("支付金额（元）"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("可空；不超过措施金额"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, user, measure, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_id"].choices = [("", "—")] + [
            (s.pk, f"{s.name}（{s.get_level_display()}）") for s in service.sources_for(user, measure)
        ]
        self.fields["project_id"].choices = [("", _("（不关联项目）"))] + [
            (p.pk, f"{p.year} {p.name}（{p.get_stage_display()}）") for p in service.projects_for(user, measure)
        ]


def _initial(funding) -> dict:
    if funding is None:
        return {}
    amount = "" if funding.amount is None else str(funding.amount)
    return {"source_id": funding.source_id, "project_id": funding.project_id or "", "amount": amount}


def measure_panel(request, measure) -> dict:
    """The measure page's panel: the fund and project named, and the keepers' form."""
    funding = service.funding_of(request.user, measure)
    may_keep = service.may_keep(request.user)
    form = FundingForm(request.user, measure, initial=_initial(funding)) if may_keep else None
    return {"funding": funding, "may_keep": may_keep, "form": form, "measure": measure}


def _keeper(request):
    if not service.may_keep(request.user):
        raise PermissionDenied(_("您的角色不能登记帮扶措施的资金来源"))


@login_required
@require_http_methods(["GET", "POST"])
def measure_funding(request, pk):
    """The measure's fund and project: the form on its own page (and where a refusal is shown)."""
    _keeper(request)
    measure = service.measure_of(request.user, pk)
    funding = service.funding_of(request.user, measure)
    form = FundingForm(request.user, measure, request.POST or None, initial=_initial(funding))
    if request.method == "POST" and form.is_valid():
        try:
            service.set_funding(request.user, measure, via="ui", **form.cleaned_data)
        except DomainError as error:
            if isinstance(error, PermissionDenied) or (isinstance(error, NotFound) and error.field is None):
                raise
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已登记措施的资金来源"))
            return redirect("assistance:measure-edit", pk=measure.pk)
    return render(
        request,
        "funds/links/measure_funding.html",
        {"form": form, "measure": measure, "funding": funding},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def measure_funding_delete(request, pk):
    _keeper(request)
    measure = service.measure_of(request.user, pk)
    try:
        service.clear_funding(request.user, measure, via="ui")
    except NotFound as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除措施的资金来源"))
    return redirect("assistance:measure-edit", pk=measure.pk)


urls = [
    path("measures/<int:pk>/funding/", measure_funding, name="measure-funding"),
    path("measures/<int:pk>/funding/delete/", measure_funding_delete, name="measure-funding-delete"),
]
