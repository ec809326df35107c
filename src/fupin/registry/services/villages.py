"""Villages' poverty standing (贫困村, 深度贫困村, 出列, 有扶贫任务的村) moved only by dated events, as a household's
status is, so the standing of any past date follows from them; and the areas' rural population per year, the
denominator of every incidence figure."""

from datetime import date

from django.db import transaction
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area, AreaPopulation
from fupin.core.errors import NotFound

from .. import codes
from ..models import VillageEvent
from ..values import InvalidRecord
from .base import require_editor, save_audited, validate, village_in_scope

#: the date annotation villages_as_of adds for each kind of event
EVENT_DATES = {
    codes.VillageEventKind.POOR: "poor_on",
    codes.VillageEventKind.DEEP: "deep_on",
    codes.VillageEventKind.EXITED: "exited_on",
    codes.VillageEventKind.TASKED: "tasked_on",
}


def villages_as_of(queryset, day: date):
    """Annotate each village (an Area queryset) with the date of its latest event of each kind on or before `day`
    (`poor_on`, `deep_on`, `exited_on`, `tasked_on`, NULL for none) and its `standing` that day
    (codes.VillageStanding): exited when its exit is not older than its identification, deep when listed deep since
    it was identified, tasked when never identified but given tasks."""
    dates = {
        name: Subquery(
            VillageEvent.objects.filter(village=OuterRef("pk"), kind=kind, date__lte=day)
            .order_by("-date")
            .values("date")[:1]
        )
        for kind, name in EVENT_DATES.items()
    }
    S = codes.VillageStanding
    standing = Case(
        When(Q(poor_on__isnull=True) & Q(tasked_on__isnull=False), then=Value(S.TASKED.value)),
        When(poor_on__isnull=True, then=Value(S.NONE.value)),
        When(exited_on__gte=F("poor_on"), then=Value(S.EXITED.value)),
        When(deep_on__gte=F("poor_on"), then=Value(S.DEEP.value)),
        default=Value(S.POOR.value),
        output_field=CharField(),
    )
    return queryset.annotate(**dates).annotate(standing=standing)


def standing_of(village: Area, day: date) -> codes.VillageStanding:
    """One village's standing on a date."""
    row = villages_as_of(Area.objects.filter(pk=village.pk), day).values_list("standing", flat=True).first()
    return codes.VillageStanding(row or codes.VillageStanding.NONE)


@transaction.atomic
def record_village_event(
    user, village, kind, on: date, *, approximate=False, document="", reason="", via="ui"
) -> VillageEvent:
    """Record a change in a village's standing, in date order, checked against codes.VILLAGE_EVENT_FROM (the table the
    import applies too) and never the same event twice."""
    require_editor(user)
    village = village_in_scope(user, village)
    Area.objects.select_for_update().filter(pk=village.pk).first()  # one writer per village at a time
    if kind not in codes.VillageEventKind.values:
        raise InvalidRecord(_("未知的贫困村状态变更：%(kind)s") % {"kind": kind}, field="kind")
    kind = codes.VillageEventKind(kind)
    event = VillageEvent(
        village=village,
        kind=kind,
        date=on,
        approximate=approximate,
        document=document,
        reason=reason,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    validate(event, exclude=["village", "recorded_by"])
    last = village.village_events.order_by("-date", "-id").first()
    if last and on < last.date:
        raise InvalidRecord(
            _("日期%(date)s早于该村最近一次状态变更（%(last_date)s %(last_kind)s）")
            % {"date": on, "last_date": last.date, "last_kind": last.get_kind_display()},
            field="date",
        )
    # the one table the import checks too: the latest poor / deep / exited event is where the village stands
    last_standing = (
        village.village_events.filter(kind__in=codes.VILLAGE_STANDING_KINDS)
        .order_by("-date", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    if last_standing not in codes.VILLAGE_EVENT_FROM[kind]:
        standing = standing_of(village, on)
        raise InvalidRecord(
            _("该村当前为“%(standing)s”，不能“%(kind)s”") % {"standing": standing.label, "kind": kind.label},
            field="kind",
            details={"standing": standing.value, "kind": kind.value},
        )
    if village.village_events.filter(kind=kind).exists():
        raise InvalidRecord(
            _("该村已有“%(kind)s”的记录，同一事件不能登记两次") % {"kind": kind.label},
            field="kind",
            details={"kind": kind.value},
        )
    event.save()
    audit.record(user, Action.CREATE, event, changes={"event": kind.value, "date": str(on)}, via=via)
    return event


POPULATION_FIELDS = ("rural_population", "rural_households", "source")


@transaction.atomic
def set_population(
    user, area, year: int, rural_population: int, *, rural_households=None, source="", via="ui"
) -> AreaPopulation:
    """File (or correct) an area's rural registered population and households of a year, audited."""
    require_editor(user)
    code = getattr(area, "code", area)
    area = Area.objects.restrict(user).filter(code=str(code or "")).first()
    if area is None:
        raise NotFound(_("区划 %(area)s 不存在或不在您的管辖范围内") % {"area": code})
    record = AreaPopulation.objects.select_for_update().filter(area=area, year=year).first()
    record = record or AreaPopulation(area=area, year=year)
    data = {"rural_population": rural_population, "rural_households": rural_households, "source": source}
    return save_audited(user, record, data, POPULATION_FIELDS, via=via, exclude=["area"])


def population_of(area: Area, year: int) -> AreaPopulation | None:
    """The area's population on file for the year, or None: an incidence figure then says so and has no value."""
    return AreaPopulation.objects.filter(area=area, year=year).first()


def no_population(year: int) -> str:
    """What an incidence figure says instead of a value when the year's population is not on file."""
    return _("未登记 %(year)s 年农村户籍人口，无法计算贫困发生率") % {"year": year}
