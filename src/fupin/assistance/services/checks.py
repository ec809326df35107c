"""The county's daily checks of assistance (issue 14 "Checks"): monitored households without a measure a month after
identification, without all their responsible persons, not visited in the period, whose measures all ended; cadres
paired with too many households or not visiting; villages whose 五个一/三个一 set is incomplete.

Each check is one SQL statement the database runs over the user's area (the same code range `.restrict(user)` uses),
per county, because the parameters (measure_due_months, visit_period_days, cadre_max_households) are the county's
pack's. The SQL text is our own constants; every value (dates, codes, ranges, roles) is a bound parameter. A count
and a list run the same statement, so the home page's count is the list's length."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.accounts.roles import Role
from fupin.areas.models import PREFIX_LENGTH, Area, Level, code_range
from fupin.areas.scoping import NOTHING, scope_prefix
from fupin.core.errors import NotFound
from fupin.registry import codes as registry_codes

from .. import codes
from .common import cadre_of, check_parameter
from .roles import responsible_roles


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    definition: str
    lists: str  # "households" | "cadres" | "villages": what a row of the check is


CHECKS = (
    Check(
        "no_measure",
        _("纳入监测满期限仍无帮扶措施"),
        _("监测户自纳入监测之日起满规定月数（标准包 measure_due_months），检查日仍没有已落实的帮扶措施"),
        "households",
    ),
    Check(
        "missing_responsible",
        _("帮扶责任人不全"),
        _("监测户在检查日缺少县里规定的某一类帮扶责任人（默认：决战帮扶、政策保障、包户帮扶）"),
        "households",
    ),
    Check(
        "not_visited",
        _("超过走访周期未走访"),
        _("监测户在检查日之前的走访周期（标准包 visit_period_days 天，含第 N 天当天）内没有走访记录"),
        "households",
    ),
    Check(
        "measure_gap",
        _("措施到期后无后续措施"),
        _("监测户的帮扶措施在检查日前已全部结束，且没有正在落实或计划中的措施"),
        "households",
    ),
    Check(
        "cadre_overloaded",
        _("干部结对户数超过上限"),
        _("帮扶干部在检查日结对帮扶的农户多于标准包 cadre_max_households 户"),
        "cadres",
    ),
    Check(
        "cadre_not_visiting",
        _("结对干部周期内未走访"),
        _("有结对农户的帮扶干部在走访周期内没有录入任何走访记录"),
        "cadres",
    ),
    Check(
        "village_set_incomplete",
        _("村级帮扶力量不全"),
        _("贫困村（曾识别为贫困村）缺五个一、其他村缺三个一中的某一项"),
        "villages",
    ),
)
BY_CODE = {check.code: check for check in CHECKS}


# ── dates ─────────────────────────────────────────────────────────────────────────────────────────────────────


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's end: 2024-01-31 + 1 = 2024-02-29."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def due_cutoff(on: date, months: int) -> date:
    """The latest identification date whose `months` are up by `on` (add_months(identified, months) <= on):
    the due date is monotone, so the identified dates listed are exactly those on or before this cutoff."""
    earlier = add_months(on, -months)
    last_of_on = monthrange(on.year, on.month)[1]
    last_of_earlier = monthrange(earlier.year, earlier.month)[1]
    if on.day == last_of_on or on.day >= last_of_earlier:
        return earlier.replace(day=last_of_earlier)
    return earlier


def visit_since(on: date, days: int) -> date:
    """The first day of the visit period ending on `on`: a visit exactly `days` days ago still counts."""
    return on - timedelta(days=days)


# ── the statements ────────────────────────────────────────────────────────────────────────────────────────────

OPEN = "{t}.started_on <= %(on)s AND ({t}.ended_on IS NULL OR {t}.ended_on >= %(on)s)"
MONITORED_NOW = "h.status = %(monitored)s"
#: a past day: the status of the household's latest event then, one probe of the events' (household, date) index
#: per household of the range (measured at 10M persons: 9 times faster than reading the 纳入监测 events first)
MONITORED_THEN = (
    "(SELECT e.kind FROM registry_statusevent e WHERE e.household_id = h.id AND e.date <= %(on)s "
    "AND e.kind <> %(merged)s ORDER BY e.date DESC, e.id DESC LIMIT 1) IN (%(kind_monitored)s, %(kind_reversed)s)"
)
MINE = (
    " AND h.id IN (SELECT p.household_id FROM assistance_pairing p WHERE p.cadre_id = %(cadre)s AND "
    + OPEN.format(t="p")
    + " UNION SELECT r.household_id FROM assistance_responsibility r WHERE r.cadre_id = %(cadre)s AND "
    + OPEN.format(t="r")
    + ")"
)


def _monitored(past: bool, mine: bool) -> str:
    where = MONITORED_THEN if past else MONITORED_NOW
    return (
        "SELECT h.id, h.risk_identified_on FROM registry_household h "
        f"WHERE h.village_id >= %(low)s AND h.village_id < %(high)s AND {where}" + (MINE if mine else "")
    )


IN_PLACE = (
    "EXISTS (SELECT 1 FROM assistance_measure am WHERE am.household_id = m.id AND am.status <> %(planned)s "
    "AND am.started_on <= %(on)s AND (am.ended_on IS NULL OR am.ended_on >= %(on)s))"
)

HOUSEHOLD_SQL = {
    # detail: the identification date
    "no_measure": (
        "SELECT x.id, x.detail FROM (SELECT m.id, COALESCE((SELECT MAX(e.date) FROM registry_statusevent e "
        "WHERE e.household_id = m.id AND e.kind = %(kind_monitored)s AND e.date <= %(on)s), m.risk_identified_on) "
        "AS detail FROM mon m WHERE NOT " + IN_PLACE + ") x WHERE x.detail <= %(cutoff)s"
    ),
    # detail: how many of the county's roles are held
    "missing_responsible": (
        "SELECT x.id, x.detail FROM (SELECT m.id, (SELECT COUNT(DISTINCT r.role) FROM assistance_responsibility r "
        "WHERE r.household_id = m.id AND r.role IN ({roles}) AND " + OPEN.format(t="r") + ") AS detail "
        "FROM mon m) x WHERE x.detail < %(role_count)s"
    ),
    # detail: the last visit on or before the day (NULL: never)
    "not_visited": (
        "SELECT x.id, x.detail FROM (SELECT m.id, (SELECT MAX(v.visited_on) FROM assistance_visit v "
        "WHERE v.household_id = m.id AND v.visited_on <= %(on)s) AS detail FROM mon m) x "
        "WHERE x.detail IS NULL OR x.detail < %(since)s"
    ),
    # detail: the last measure's end
    "measure_gap": (
        "SELECT x.id, x.detail FROM (SELECT m.id, (SELECT MAX(am.ended_on) FROM assistance_measure am "
        "WHERE am.household_id = m.id) AS detail FROM mon m WHERE NOT EXISTS (SELECT 1 FROM assistance_measure am "
        "WHERE am.household_id = m.id AND (am.ended_on IS NULL OR am.ended_on >= %(on)s))) x "
        "WHERE x.detail IS NOT NULL"
    ),
}

#: the cadres a check looks at: registered in the area, or paired with one of its households on the day
SCOPED_CADRES = (
    "SELECT c.id FROM assistance_cadre c WHERE c.area_id >= %(low)s AND c.area_id < %(high)s UNION "
    "SELECT p.cadre_id FROM assistance_pairing p WHERE p.village_id >= %(low)s AND p.village_id < %(high)s AND "
    + OPEN.format(t="p")
)
CADRE_SQL = {
    # detail: the open pairings on the day
    "cadre_overloaded": (
        "SELECT p.cadre_id AS id, COUNT(*) AS detail FROM assistance_pairing p WHERE "
        + OPEN.format(t="p")
        + " AND p.cadre_id IN ({cadres}) GROUP BY p.cadre_id HAVING COUNT(*) > %(max_households)s"
    ),
    # detail: the cadre's last visit on or before the day (NULL: never)
    "cadre_not_visiting": (
        "SELECT x.id, x.detail FROM (SELECT p.cadre_id AS id, (SELECT MAX(v.visited_on) FROM assistance_visit v "
        "WHERE v.cadre_id = p.cadre_id AND v.visited_on <= %(on)s) AS detail FROM assistance_pairing p "
        "WHERE p.village_id >= %(low)s AND p.village_id < %(high)s AND "
        + OPEN.format(t="p")
        + "{only_cadre} GROUP BY p.cadre_id) x WHERE x.detail IS NULL OR x.detail < %(since)s"
    ),
}

_HELD = (
    "(SELECT COUNT(DISTINCT sp.part) FROM assistance_setpost sp WHERE sp.village_id = a.code AND sp.part IN ({parts}) "
    "AND " + OPEN.format(t="sp") + ")"
)
VILLAGE_SQL = (
    "SELECT x.id, x.poor AS detail FROM (SELECT a.code AS id, CASE WHEN EXISTS (SELECT 1 FROM registry_villageevent ve "
    "WHERE ve.village_id = a.code AND ve.kind = %(village_poor)s AND ve.date <= %(on)s) THEN 1 ELSE 0 END AS poor, "
    + _HELD.format(parts="{five}")
    + " AS held5, "
    + _HELD.format(parts="{three}")
    + " AS held3 FROM areas_area a WHERE a.code >= %(low)s AND a.code < %(high)s AND a.level = %(level)s) x "
    "WHERE (x.poor = 1 AND x.held5 < %(five_count)s) OR (x.poor = 0 AND x.held3 < %(three_count)s)"
)


def _placeholders(prefix: str, values) -> tuple[str, dict]:
    names = {f"{prefix}{i}": str(getattr(value, "value", value)) for i, value in enumerate(values)}
    return ", ".join(f"%({name})s" for name in names), names


def _statement(code: str, county: str, low: str, high: str, on: date, cadre_id: int | None):
    """The SQL text and parameters of one check over one county's part of the area."""
    params = {
        "low": low,
        "high": high,
        "on": on,
        "planned": codes.MeasureStatus.PLANNED.value,
        "monitored": registry_codes.Status.MONITORED.value,
        "merged": registry_codes.EventKind.MERGED.value,
        "kind_monitored": registry_codes.EventKind.MONITORED.value,
        "kind_reversed": registry_codes.EventKind.RISK_REVERSED.value,
        "cadre": cadre_id,
    }
    if code in HOUSEHOLD_SQL:
        past = on < timezone.localdate()
        text = HOUSEHOLD_SQL[code]
        if code == "no_measure":
            params["cutoff"] = due_cutoff(on, check_parameter(county, on, "measure_due_months"))
        elif code == "missing_responsible":
            roles = [role.code for role in responsible_roles(county)]
            marks, named = _placeholders("role", roles)
            text = text.format(roles=marks or "NULL")
            params.update(named, role_count=len(roles))
        elif code == "not_visited":
            params["since"] = visit_since(on, check_parameter(county, on, "visit_period_days"))
        return f"WITH mon AS ({_monitored(past, cadre_id is not None)}) {text}", params
    if code in CADRE_SQL:
        if code == "cadre_overloaded":
            params["max_households"] = check_parameter(county, on, "cadre_max_households")
            cadres = "%(cadre)s" if cadre_id is not None else SCOPED_CADRES
            return CADRE_SQL[code].format(cadres=cadres), params
        params["since"] = visit_since(on, check_parameter(county, on, "visit_period_days"))
        only = " AND p.cadre_id = %(cadre)s" if cadre_id is not None else ""
        return CADRE_SQL[code].format(only_cadre=only), params
    five, five_named = _placeholders("five", codes.FIVE_SET)
    three, three_named = _placeholders("three", codes.THREE_SET)
    params.update(five_named)
    params.update(three_named, five_count=len(codes.FIVE_SET), three_count=len(codes.THREE_SET))
    params.update(village_poor=registry_codes.VillageEventKind.POOR.value, level=int(Level.VILLAGE))
    return VILLAGE_SQL.format(five=five, three=three), params


# ── scope ─────────────────────────────────────────────────────────────────────────────────────────────────────


def _ranges(user, area_code: str | None) -> list[tuple[str, str, str]]:
    """(county code, low, high) for each county part of the user's area (narrowed to `area_code`, which must be in
    scope): the code range a check runs over and whose pack gives its parameters."""
    prefix = scope_prefix(user)
    if prefix == NOTHING:
        return []
    if area_code:
        area = Area.objects.restrict(user).filter(code=str(area_code)).first() if str(area_code).isdigit() else None
        if area is None:
            raise NotFound(_("未找到区划 %(area)s ，或不在您的管辖范围内") % {"area": area_code}, field="area")
        prefix = area.prefix
    county_length = PREFIX_LENGTH[Level.COUNTY]
    if len(prefix) >= county_length:
        return [(prefix[:county_length].ljust(12, "0"), *code_range(prefix))]
    counties = Area.objects.under(prefix).filter(level=Level.COUNTY).values_list("code", flat=True)
    return [(county, *code_range(county[:county_length])) for county in counties]


def county_of(area_code: str) -> str:
    return area_code[: PREFIX_LENGTH[Level.COUNTY]].ljust(12, "0")


def _cadre_filter(user) -> int | None:
    """A cadre's checks are their own households' (and their own as a cadre); -1 for a cadre not yet linked."""
    if getattr(user, "role", None) != Role.CADRE:
        return None
    cadre = cadre_of(user)
    return cadre.pk if cadre else -1


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count(sql: str, params: dict) -> int:
    return _fetch(f"SELECT COUNT(*) FROM ({sql}) counted", params)[0][0]


def check_of(code: str) -> Check:
    try:
        return BY_CODE[code]
    except KeyError:
        raise NotFound(_("没有这项检查：%(code)s") % {"code": code}) from None


def check_counts(user, on: date, *, area_code: str | None = None) -> dict[str, int]:
    """{check code: how many rows it lists} for the user's area (or `area_code` inside it) on `on`."""
    cadre_id = _cadre_filter(user)
    counts = {check.code: 0 for check in CHECKS}
    cadres: dict[str, set] = {}
    for county, low, high in _ranges(user, area_code):
        for check in CHECKS:
            statement = _statement(check.code, county, low, high, on, cadre_id)
            if check.lists == "cadres":  # a cadre paired in two counties is one row
                cadres.setdefault(check.code, set()).update(row[0] for row in _fetch(*statement))
            else:
                counts[check.code] += _count(*statement)
    counts.update({code: len(ids) for code, ids in cadres.items()})
    return counts


def check_keys(user, code: str, on: date, *, area_code: str | None = None) -> list[tuple]:
    """(id, detail) of every row the check lists: a household's, a cadre's or a village's id."""
    check_of(code)
    cadre_id = _cadre_filter(user)
    rows = {}
    for county, low, high in _ranges(user, area_code):
        for key, detail in _fetch(*_statement(code, county, low, high, on, cadre_id)):
            rows.setdefault(key, detail)  # a cadre paired in two counties: the first county's row
    return list(rows.items())


def run_check(user, code: str, on: date, *, area_code: str | None = None) -> list[dict]:
    """The rows of one check, ordered by area: what a clerk needs to act on (rows.py describes them)."""
    from .check_rows import describe

    return describe(check_of(code), check_keys(user, code, on, area_code=area_code), on)


#: who has assistance checks on their home page: the keepers of the records and the cadres (their own households)
HOME_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP, Role.VILLAGE, Role.CADRE})


def home_lines(user, today: date) -> list[dict]:
    """The home page's assistance lines: each check with a nonzero count today, linking to its list. A county whose
    pack lacks a check's parameter shows no line rather than an error on the home page."""
    from django.urls import reverse

    from .common import AssistanceRefused

    if getattr(user, "role", None) not in HOME_ROLES:
        return []
    try:
        counts = check_counts(user, today)
    except AssistanceRefused:
        return []
    return [
        {"label": check.label, "count": counts[check.code], "url": reverse("assistance:check", args=[check.code])}
        for check in CHECKS
        if counts[check.code]
    ]


COVERAGE_SQL = "SELECT COUNT(*), SUM(CASE WHEN " + IN_PLACE + " THEN 1 ELSE 0 END) FROM mon m"


def coverage(user, on: date, *, area_code: str | None = None) -> dict[str, dict[str, int]]:
    """The share of monitored households with all responsible persons, at least one measure in place, a visit in
    the period: each {"n": numerator, "of": monitored households}, the checks' own rules (all - listed)."""
    monitored = measured = 0
    for county, low, high in _ranges(user, area_code):
        _sql, params = _statement("no_measure", county, low, high, on, None)
        sql = f"WITH mon AS ({_monitored(on < timezone.localdate(), False)}) {COVERAGE_SQL}"
        total, with_measure = _fetch(sql, params)[0]
        monitored += total or 0
        measured += with_measure or 0
    counts = check_counts(user, on, area_code=area_code) if monitored else {}
    return {
        "responsible": {"n": monitored - counts.get("missing_responsible", 0), "of": monitored},
        "measure": {"n": measured, "of": monitored},
        "visited": {"n": monitored - counts.get("not_visited", 0), "of": monitored},
    }
