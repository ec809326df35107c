"""Pages of the funds home page (topic E): what the user's area has — money by year, projects by stage, physical
progress, assets — as of a date, and the ways into the ledgers, projects, standards and assets. `urls` is joined
into funds/urls.py (with the measure-funding pages of views/links_measures.py). Thin over services.figures."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fupin.areas.models import Area

from ..services import figures
from . import links_measures

#: the ways into the topics' pages, by URL name
WAYS = (
    (_("四级资金台账"), "funds:ledger", _("资金来源、预算、批次、下达与支出，按县、部门、乡镇、村查看")),
    (_("项目库"), "funds:project-list", _("项目申报、审核、实施进度、验收与审计")),
    (_("项目进度通报"), "funds:project-bulletin", _("按乡镇、部门的月度支付进度、实物进度与超期项目")),
    (_("补助标准"), "funds:standards", _("道路等补助标准与项目补助测算")),
    (_("扶贫项目资产"), "funds:assets", _("资产确权、管护、处置与收益分配")),
)


def ways_in() -> list[dict]:
    """The links of the home page into each topic."""
    return [{"label": label, "url": reverse(name), "help": help_text} for label, name, help_text in WAYS]


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("截至日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    area = forms.ChoiceField(label=_("区划"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own = getattr(user, "area", None)
        choices = [("", own.name if own else "—")]
        if own is not None:
            choices += [(a.code, a.name) for a in Area.objects.restrict(user).filter(parent=own).order_by("code")]
        self.fields["area"].choices = choices


@login_required
@require_GET
def index(request):
    """The funds home page: the area's figures as of a date (today), and the ways into the ledgers and lists."""
    form = AsOfForm(request.user, request.GET or None)
    as_of, area = timezone.localdate(), None
    if form.is_valid():
        as_of = form.cleaned_data["as_of"] or as_of
        area = form.cleaned_data["area"] or None
    found = figures.funds_figures(request.user, area_code=area, as_of=as_of) if request.user.area_id or area else None
    return render(
        request,
        "funds/links/index.html",
        {"form": form, "figures": found, "ways": ways_in(), "as_of": as_of},
        status=400 if form.errors else 200,
    )


urls = [path("", index, name="index"), *links_measures.urls]
