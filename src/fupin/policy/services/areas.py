"""Village and county exit: the incidence of poverty per area (and, for a village, its checklist), judged and
stored as one AreaDecision per area of the run. A village run judges the registered poor villages not yet exited on
its date; the denominator is the area's rural population of the run's year, never another count.
"""

from fractions import Fraction

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fupin.areas.models import PREFIX_LENGTH, Area, AreaPopulation, Level
from fupin.registry import codes
from fupin.registry.models import CHECKLIST_ITEMS, VillageFacilities
from fupin.registry.services import no_population, villages_as_of

from .. import compute
from ..estimates import ESTIMATES, county_estimates
from ..models import AreaDecision, AssessmentRun, Kind
from ..packs import Pack
from .records import count_areas, start_run
from .scope import InvalidAssessment


def _incidence_rows(level, prefix: str, source, params: dict, using: str) -> dict[str, tuple[int, int]]:
    """Poor persons and registered persons per area of `level` under the prefix, from the features."""
    dialect = compute.dialect_of(using)
    scope, scope_params = compute.scope_condition(prefix)
    features_sql = compute.features_select(dialect, ["status", "members"], source, scope)
    length = PREFIX_LENGTH[level]
    sql = (
        f"SELECT substr(village_id, 1, {length}) AS code, "
        f"SUM(CASE WHEN status = '{codes.Status.POOR}' THEN members ELSE 0 END), SUM(members) "
        f"FROM ({features_sql}) f GROUP BY substr(village_id, 1, {length})"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {**params, **scope_params})
        return {code: (int(poor or 0), int(persons or 0)) for code, poor, persons in cursor.fetchall()}


def checklist_items(pack: Pack) -> list[str]:
    names = [name.strip() for name in str(pack.parameters.get("village_checklist", "")).split(",") if name.strip()]
    unknown = [name for name in names if name not in CHECKLIST_ITEMS]
    if unknown:
        raise InvalidAssessment(
            _("标准包 %(pack)s 的 village_checklist 有未知项目：%(items)s（可用：%(available)s）")
            % {"pack": pack.id, "items": "、".join(unknown), "available": ", ".join(CHECKLIST_ITEMS)},
            details={"pack": pack.id, "unknown": unknown},
        )
    return names


def incidence_below(poor: int, population: int | None, threshold: float) -> bool | None:
    """ "降至 2% 以下": strictly below, in exact fractions (2 of 100 is not below 2%)."""
    if not population:
        return None
    return Fraction(poor, population) < Fraction(str(threshold))


COUNTY_PENDING = (
    "错退率、漏评率和群众认可度须有抽查（第三方评估）数据才能计算，系统中尚无（部分）抽查记录；"
    "缺数据的各项待抽查完成后评估。"
)


def judge_estimates(estimates: dict, pack: Pack) -> tuple[list, dict, list[str]]:
    """The county exit's spot-check criteria (policy.estimates.ESTIMATES): each rate against its line, in exact
    fractions of the counts (an error rate of exactly 2 % is not below 2 %; approval of exactly 90 % is not above
    90 %), judged on the point estimate; the note says where the Wilson interval crosses the line. An item without
    checks stays undecided. → (verdict per item, what is stored, notes)."""
    verdicts, stored, notes = [], {}, []
    for key, label, direction, parameter, default in ESTIMATES:
        line = float(pack.parameters.get(parameter, default))
        found = estimates.get(key) or {}
        if not found.get("n"):
            verdicts.append(None)
            notes.append(_("%(what)s尚无抽查数据") % {"what": label})
            continue
        n, errors = int(found["n"]), int(found["errors"])
        if direction == "below":
            met = Fraction(errors, n) < Fraction(str(line))
        else:
            met = Fraction(n - errors, n) > Fraction(str(line))
        low, high = found.get("wilson") or (None, None)
        if low is not None and low < line < high:
            notes.append(
                _("%(what)s的95%%置信区间（%(low).2f%%–%(high).2f%%）跨越标准线 %(line)s%%，结论须审慎")
                % {"what": label, "low": low * 100, "high": high * 100, "line": f"{line * 100:g}"}
            )
        verdicts.append(met)
        stored[key] = {**found, "label": label, "line": line, "direction": direction, "met": met}
    return verdicts, stored, notes


def threshold_for(pack: Pack, area: Area) -> float:
    """The incidence line of an area: the western 3 % line (`incidence_threshold_west`) for an area under one of the
    pack's `western_provinces`, the general line otherwise."""
    western = {code.strip() for code in str(pack.parameters.get("western_provinces", "")).split(",") if code.strip()}
    if area.code[:2] in western and "incidence_threshold_west" in pack.parameters:
        return float(pack.parameters["incidence_threshold_west"])
    return float(pack.parameters["incidence_threshold"])


def areas_judged(level, prefix: str, as_of, using: str):
    """The areas a run judges: for village exit the villages registered poor and not exited on the run's date (from
    their events), for county exit every county in scope."""
    areas = Area.objects.using(using).under(prefix).filter(level=level).order_by("code")
    if level == Level.VILLAGE:
        standing = codes.VillageStanding
        areas = villages_as_of(areas, as_of).filter(standing__in=[standing.POOR, standing.DEEP])
    return list(areas)


def assess_areas(kind, pack, scope, as_of, user, source, progress, using) -> AssessmentRun:
    """A finished village- or county-exit run: one decision per area judged (areas_judged)."""
    level = Level.VILLAGE if kind == Kind.VILLAGE_EXIT else Level.COUNTY
    items = checklist_items(pack) if level == Level.VILLAGE else []
    run = start_run(kind, pack, scope, as_of, user, rule_ids=items, using=using)
    progress.phase("评估", 1)
    counted = _incidence_rows(level, scope.prefix, source, compute.parameters(as_of, pack.year), using)
    areas = areas_judged(level, scope.prefix, as_of, using)
    populations = {
        p.area_id: p
        for p in AreaPopulation.objects.using(using).filter(year=run.year, area__in=[a.code for a in areas])
    }
    facilities = (
        {f.village_id: f for f in VillageFacilities.objects.using(using).filter(year=pack.year, village__in=areas)}
        if items
        else {}
    )
    estimates = (
        {area.code: county_estimates(area.code, as_of, using) for area in areas} if level == Level.COUNTY else {}
    )
    with translation.override(settings.LANGUAGE_CODE):  # stored text is in the records' language, not the caller's
        decisions = [
            _area_decision(
                run,
                area,
                counted.get(area.prefix, (0, 0))[0],
                populations.get(area.code),
                threshold_for(pack, area),
                items,
                facilities.get(area.code),
                level,
                judge_estimates(estimates.get(area.code, {}), pack) if level == Level.COUNTY else None,
            )
            for area in areas
        ]
    AreaDecision.objects.using(using).bulk_create(decisions, batch_size=1000)
    progress.advance("评估", 1)
    count_areas(run, decisions)
    missing = level == Level.COUNTY and any(len(d.estimates) < len(ESTIMATES) for d in decisions)
    run.note = COUNTY_PENDING if missing else ""
    run.finished_at = timezone.now()
    run.save(using=using)
    return run


def _area_decision(run, area, poor, on_file, threshold, items, facilities, level, judged=None) -> AreaDecision:
    """One area's verdict. The denominator is the area's rural population of the run's year and nothing else: without
    one the incidence has no value and the note says so."""
    population = on_file.rural_population if on_file and on_file.rural_population else None
    source = (on_file.source or _("%(year)s 年农村户籍人口") % {"year": run.year})[:60] if population else ""
    met = incidence_below(poor, population, threshold)
    notes = [] if population else [no_population(run.year)]
    checklist = {}
    if level == Level.VILLAGE:
        if facilities is None:
            notes.append(f"未登记 {run.year} 年基础设施和公共服务情况")
        checklist = {item: (facilities.item(item) if facilities else None) for item in items}
    parts = [met, *checklist.values()]
    stored = {}
    if level == Level.COUNTY:
        verdicts, stored, estimate_notes = judged
        parts.extend(verdicts)  # 错退率, 漏评率, 群众认可度 (None: no spot checks yet)
        notes.extend(estimate_notes)
    outcome = False if False in parts else (None if None in parts else True)
    return AreaDecision(
        run=run,
        area=area,
        outcome=outcome,
        poor_persons=poor,
        population=population,
        population_source=source,
        incidence=float(Fraction(poor, population)) if population else None,
        threshold=threshold,
        incidence_met=met,
        checklist=checklist,
        estimates=stored,
        note="；".join(notes),
    )
