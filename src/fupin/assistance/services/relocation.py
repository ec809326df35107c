"""Relocation (易地扶贫搬迁): sites (安置点) and relocated households. A household moves in only once its site's
construction is completed; its old house is demolished and the land reclaimed after; recording a relocation marks
the registry's `relocated` flag through the registry's own service (audited there)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.core.errors import NotFound
from fupin.registry import services as registry

from .. import codes
from ..models import Relocation, RelocationSite
from .common import KEEPERS, AssistanceRefused, check_date, require_role
from .programmes import area_in_scope, count_of, end_date, household_in_scope, reachable_or_404, saved, text

SITE_FIELDS = (
    "name",
    "kind",
    "location",
    "planned_households",
    "planned_persons",
    "construction_started_on",
    "construction_completed_on",
)
RELOCATION_FIELDS = ("site", "persons", "moved_in_on", "demolished_on", "reclaimed_on", "employed_members")


def _site_fields(site, values: dict):
    site.name = text(values["name"], field="name", label=_("安置点名称"), limit=80)
    if values["kind"] not in codes.SiteKind.values:
        raise AssistanceRefused(_("请选择安置方式"), field="kind")
    site.kind = values["kind"]
    site.location = text(values["location"], field="location", label=_("地点"), limit=120, required=False)
    site.planned_households = count_of(
        values["planned_households"], field="planned_households", label=_("计划安置户数"), low=1, high=10**6
    )
    site.planned_persons = count_of(
        values["planned_persons"] or 0, field="planned_persons", label=_("计划安置人数"), high=10**7
    )
    started = values["construction_started_on"]
    if started is not None:
        check_date(started, field="construction_started_on", label=_("开工日期"))
    completed = values["construction_completed_on"]
    if completed is not None and started is None:
        raise AssistanceRefused(_("填写竣工日期须先填写开工日期"), field="construction_started_on")
    site.construction_started_on = started
    site.construction_completed_on = end_date(
        completed, started, field="construction_completed_on", label=_("竣工日期"), start_label=_("开工日期")
    )
    duplicate = RelocationSite.objects.filter(area_id=site.area_id, name=site.name).exclude(pk=site.pk)
    if duplicate.exists():
        raise AssistanceRefused(_("本区划已有名为“%(name)s”的安置点") % {"name": site.name}, field="name")


@transaction.atomic
def create_site(
    user,
    *,
    area_code,
    name,
    planned_households,
    kind=codes.SiteKind.CENTRAL,
    location="",
    planned_persons=0,
    construction_started_on=None,
    construction_completed_on=None,
    via,
) -> RelocationSite:
    require_role(user, KEEPERS, _("登记安置点"))
    site = RelocationSite(area=area_in_scope(user, area_code))
    values = dict(locals())
    _site_fields(site, values)
    return saved(user, site, None, via=via)


@transaction.atomic
def update_site(user, site, *, via, **fields) -> RelocationSite:
    """Change a site in the user's own area (a village clerk reads a township's site but does not change it)."""
    require_role(user, KEEPERS, _("修改安置点"))
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise AssistanceRefused(_("不能修改：%(names)s") % {"names": "、".join(sorted(unknown))})
    site = RelocationSite.objects.restrict(user).select_for_update().filter(pk=site.pk).first()
    if site is None:
        raise NotFound(_("未找到安置点，或不在您的管辖范围内"))
    before = audit.snapshot(site)
    _site_fields(site, {name: fields.get(name, getattr(site, name)) for name in SITE_FIELDS})
    completed = site.construction_completed_on
    early = site.households.filter(moved_in_on__isnull=False)
    if completed is None and early.exists() or completed is not None and early.filter(moved_in_on__lt=completed):
        raise AssistanceRefused(
            _("已有农户在%(date)s前入住，竣工日期不能晚于最早的入住日期") % {"date": completed or _("竣工")},
            field="construction_completed_on",
        )
    return saved(user, site, before, via=via)


def _persons_at(household, day) -> int:
    return registry.members_present_on(household.members.all(), day).count()


def _relocation_fields(user, relocation, household, values: dict):
    site = reachable_or_404(RelocationSite.objects, user, values["site"], _("安置点"))
    relocation.site = site
    moved_in = values["moved_in_on"]
    if moved_in is not None:
        check_date(moved_in, field="moved_in_on", label=_("入住日期"))
        completed = site.construction_completed_on
        if completed is None:
            raise AssistanceRefused(
                _("安置点“%(site)s”尚未竣工，不能登记入住（入住日期 %(date)s）")
                % {"site": site.name, "date": moved_in},
                field="moved_in_on",
            )
        if moved_in < completed:
            raise AssistanceRefused(
                _("入住日期 %(date)s 早于安置点“%(site)s”的竣工日期 %(completed)s")
                % {"date": moved_in, "site": site.name, "completed": completed},
                field="moved_in_on",
            )
    relocation.moved_in_on = moved_in
    present = _persons_at(household, moved_in or check_date(values["today"], field="moved_in_on", label=_("日期")))
    if present < 1:
        raise AssistanceRefused(_("该户在入住日期没有在册成员，不能登记搬迁"), field="persons")
    relocation.persons = count_of(values["persons"], field="persons", label=_("搬迁人数"), low=1, high=present)
    demolished, reclaimed = values["demolished_on"], values["reclaimed_on"]
    if demolished is not None:
        check_date(demolished, field="demolished_on", label=_("旧房拆除日期"))
    if reclaimed is not None and demolished is None:
        raise AssistanceRefused(_("复垦前须先登记旧房拆除日期"), field="demolished_on")
    relocation.demolished_on = demolished
    relocation.reclaimed_on = end_date(
        reclaimed, demolished, field="reclaimed_on", label=_("复垦日期"), start_label=_("旧房拆除日期")
    )
    relocation.employed_members = count_of(
        values["employed_members"] or 0, field="employed_members", label=_("就业人数"), high=relocation.persons
    )


def _mark_relocated(user, household, *, via):
    """The registry's 易地搬迁户 flag, set through the registry's service (its own audit entry)."""
    if not household.relocated:
        registry.update_household(user, household, {"relocated": True}, via=via)


@transaction.atomic
def record_relocation(
    user,
    household,
    *,
    site,
    persons,
    moved_in_on=None,
    demolished_on=None,
    reclaimed_on=None,
    employed_members=0,
    today=None,
    via,
) -> Relocation:
    """A household of the user's area relocated to a site in or above it (one relocation a household)."""
    require_role(user, KEEPERS, _("登记搬迁户"))
    household = household_in_scope(user, household)
    if Relocation.objects.filter(household=household).exists():
        raise AssistanceRefused(_("农户 %(number)s 已登记搬迁") % {"number": household.number}, field="household")
    relocation = Relocation(household=household, village_id=household.village_id, recorded_by=user)
    values = dict(locals())
    values["today"] = today or timezone.localdate()
    _relocation_fields(user, relocation, household, values)
    relocation = saved(user, relocation, None, via=via)
    _mark_relocated(user, household, via=via)
    return relocation


@transaction.atomic
def update_relocation(user, relocation, *, via, **fields) -> Relocation:
    require_role(user, KEEPERS, _("修改搬迁户"))
    unknown = set(fields) - set(RELOCATION_FIELDS)
    if unknown:
        raise AssistanceRefused(_("不能修改：%(names)s") % {"names": "、".join(sorted(unknown))})
    relocation = Relocation.objects.restrict(user).select_for_update().filter(pk=relocation.pk).first()
    if relocation is None:
        raise NotFound(_("未找到搬迁户，或不在您的管辖范围内"))
    before = audit.snapshot(relocation)
    values = {name: fields.get(name, getattr(relocation, name)) for name in RELOCATION_FIELDS}
    values["today"] = timezone.localdate()
    _relocation_fields(user, relocation, relocation.household, values)
    return saved(user, relocation, before, via=via)
