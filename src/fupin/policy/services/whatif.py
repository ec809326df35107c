"""What-if: re-judging the households in scope under another pack (or the same pack with some values changed),
counted by township: who would be added, who removed. Nothing is stored. Also the NAME=VALUE parsing of the
hypothetical values, which `fupin assess --set` shares.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connections, transaction
from django.utils.translation import gettext as _

from fupin.areas.models import PREFIX_LENGTH, Area, Level
from fupin.registry.models import Household

from .. import compute
from .. import rules as rule_language
from ..evaluation import Plan, compare_select
from ..models import AREA_KINDS, Kind
from ..packs import Pack, display_value
from .scope import (
    InvalidAssessment,
    Scope,
    as_of_or_today,
    assessment_kind,
    features_source,
    resolve_pack,
    resolve_scope,
)


@dataclass
class TownshipDiff:
    code: str
    name: str
    added: int = 0
    added_persons: int = 0
    removed: int = 0
    removed_persons: int = 0


@dataclass
class WhatIf:
    kind: str
    before: Pack
    after: Pack
    scope_name: str
    as_of: date
    changes: list[str]
    townships: list[TownshipDiff]
    before_total: tuple[int, int] = (0, 0)
    after_total: tuple[int, int] = (0, 0)

    @property
    def added(self) -> tuple[int, int]:
        return sum(t.added for t in self.townships), sum(t.added_persons for t in self.townships)

    @property
    def removed(self) -> tuple[int, int]:
        return sum(t.removed for t in self.townships), sum(t.removed_persons for t in self.townships)

    @property
    def other_pack(self) -> Pack | None:
        """The pack compared, when it is another pack (not the same one with some values changed)."""
        return self.after if self.after.lineage != self.before.lineage else None

    @property
    def sentence(self) -> str:
        """E.g. 把2023年监测线从6600提高到7100，新增120户391人."""
        what = "、".join(self.changes) or f"改用{self.after.title}"
        (added, added_persons), (removed, removed_persons) = self.added, self.removed
        parts = [f"新增{added}户{added_persons}人"]
        if removed:
            parts.append(f"减少{removed}户{removed_persons}人")
        return f"{what}，" + "，".join(parts)


FIGURE_LABELS = {
    "poverty_line": "扶贫标准",
    "monitoring_line": "监测线",
    "dibao_line": "低保标准",
    "out_of_pocket_threshold": "合规自付支出预警线",
    "income_drop_ratio": "收入大幅缩减比例",
    "months_stable": "稳定月数",
    "incidence_threshold": "贫困发生率标准",
    "require_six_months": "监测满6个月的要求",
    "incidence_threshold_west": "西部地区贫困发生率标准",
    "village_checklist": "贫困村退出的基础设施和公共服务项目",
    "no_labour_never_eliminated": "无劳动能力户不消除的要求",
}


def figure_label(name: str) -> str:
    """A line's, parameter's or option's name as a county office says it."""
    return FIGURE_LABELS.get(name, name)


def whatif_parameters(pack: Pack, kind) -> list[tuple[str, str, object]]:
    """(name, label, current value) of the lines, parameters and options the kind's rules read in the pack: what a
    what-if can change (the others change nothing for this kind)."""
    used = set()
    for rule in Plan.of(pack, kind).rules:
        used.update(rule_language.params_used(rule.tree))
    return [(name, figure_label(name), value) for name, value in pack.parameters.items() if name in used]


def typed_value(current, text: str):
    """A value typed for a what-if, read as the type of the value it replaces: a number, or 是/否 (true/false)."""
    text = str(text).strip()
    if isinstance(current, bool):
        if text.lower() in ("是", "true", "1"):
            return True
        if text.lower() in ("否", "false", "0"):
            return False
        raise InvalidAssessment(_("“%(value)s”应为“是”或“否”") % {"value": text}, field="value")
    if isinstance(current, (int, float)):
        try:
            return float(text.replace(",", ""))
        except ValueError:
            raise InvalidAssessment(_("“%(value)s”应为数值") % {"value": text}, field="value") from None
    return text


def pack_changes(before: Pack, after: Pack) -> list[str]:
    """What differs between two packs, as a county office would say it."""
    changes = []
    year = f"{after.year}年" if after.year == before.year else ""
    old, new = before.parameters, after.parameters
    for name in [*old, *(n for n in new if n not in old)]:
        if old.get(name) == new.get(name):
            continue
        label = figure_label(name)
        if isinstance(old.get(name), (int, float)) and not isinstance(old.get(name), bool) and name in new:
            verb = "提高到" if new[name] > old[name] else "降低到"
            changes.append(f"把{year}{label}从{display_value(old[name])}{verb}{display_value(new[name])}")
        else:
            changes.append(f"{year}{label}由{display_value(old.get(name))}改为{display_value(new.get(name))}")
    old_rules = {rule.id: rule for rule in before.rules}
    new_rules = {rule.id: rule for rule in after.rules}
    for rule_id in sorted(set(old_rules) | set(new_rules)):
        old, new = old_rules.get(rule_id), new_rules.get(rule_id)
        if getattr(old, "expression", None) != getattr(new, "expression", None):
            verb = "新增" if old is None else "删除" if new is None else "修改"
            changes.append(f"{verb}规则“{(new or old).title}”")  # its title: a rule's id is a code
    return changes


def parse_values(pairs) -> dict:
    """NAME=VALUE pairs (the CLI's and UI's --set) into typed values: numbers, true/false, or text."""
    values = {}
    for pair in pairs or ():
        name, sep, text = str(pair).partition("=")
        if not sep or not name.strip():
            raise InvalidAssessment(_("“%(pair)s”应写成 名字=值，如 monitoring_line=7100") % {"pair": pair})
        text = text.strip()
        if text.lower() in ("true", "false"):
            values[name.strip()] = text.lower() == "true"
            continue
        try:
            values[name.strip()] = float(text)
        except ValueError:
            values[name.strip()] = text
    return values


@dataclass(frozen=True)
class Compared:
    """What a what-if compares: the kind, the date, the scope and the two packs (the second with the changes)."""

    kind: Kind
    as_of: date
    scope: Scope
    before: Pack
    after: Pack


def compared(kind, *, user=None, before=None, after=None, values=None, as_of=None, area=None) -> Compared:
    """Resolve a what-if's question: a household kind, the scope (the user's area or one inside it), the packs; the
    two must be of one income year."""
    kind = assessment_kind(kind)
    if kind in AREA_KINDS:
        raise InvalidAssessment(_("测算只适用于农户评估（退出、监测、风险消除、核查）"))
    as_of = as_of_or_today(as_of)
    scope = resolve_scope(user, area)
    first = resolve_pack(before, scope, as_of)
    second = resolve_pack(after, scope, as_of, values) if after else first.with_values(values or {})
    if second.year != first.year:
        raise InvalidAssessment(
            _("两个标准包的年度不同（%(before)s 与 %(after)s）：收入年度须一致才能比较")
            % {"before": first.year, "after": second.year},
            details={"before": first.year, "after": second.year},
        )
    return Compared(kind, as_of, scope, first, second)


def _compare_rows(question: Compared, outer, params: dict, using: str) -> list[tuple]:
    """Rows of `outer(select)` over the households in scope judged under both packs (compare_select), with the
    profile refreshed and the as-of facts filled for the statement and dropped after it. Nothing is stored."""
    plan_a, plan_b = Plan.of(question.before, question.kind), Plan.of(question.after, question.kind)
    dialect = compute.dialect_of(using)
    condition, scope_params = compute.scope_condition(question.scope.prefix)
    year = question.before.year
    with transaction.atomic(using=using):
        compute.refresh_profiles(year, using)
        source = features_source(question.as_of, year, question.scope.prefix, using)
        sql = outer(compare_select(plan_a, plan_b, dialect, source, condition))
        with connections[using].cursor() as cursor:
            cursor.execute(sql, {**compute.parameters(question.as_of, year), **scope_params, **params})
            rows = cursor.fetchall()
        compute.drop_as_of_events(using)
    return rows


def whatif(kind, *, user=None, before=None, after=None, values=None, as_of=None, area=None, using="default") -> WhatIf:
    """Re-judge the households in scope under another pack (or the same pack with some values changed) and count,
    by township, who would be added and who removed. Nothing is stored: one SELECT over one set of features."""
    question = compared(kind, user=user, before=before, after=after, values=values, as_of=as_of, area=area)
    length = PREFIX_LENGTH[Level.TOWNSHIP]
    rows = _compare_rows(
        question,
        lambda select: (
            f"SELECT substr(village_id, 1, {length}) AS township, "
            f"SUM(CASE WHEN {MOVED['added']} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {MOVED['added']} THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN {MOVED['removed']} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {MOVED['removed']} THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE THEN 1 ELSE 0 END), SUM(CASE WHEN was IS TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN now IS TRUE THEN 1 ELSE 0 END), SUM(CASE WHEN now IS TRUE THEN persons ELSE 0 END) "
            f"FROM ({select}) d GROUP BY substr(village_id, 1, {length})"
        ),
        {},
        using,
    )
    names_of = dict(
        Area.objects.using(using).filter(code__in=[row[0] + "000" for row in rows]).values_list("code", "name")
    )
    townships = []
    totals = [0, 0, 0, 0]
    for township, *numbers in sorted(rows):
        numbers = [int(n or 0) for n in numbers]
        totals = [t + n for t, n in zip(totals, numbers[4:])]
        if any(numbers[:4]):
            townships.append(TownshipDiff(township, names_of.get(township + "000", township), *numbers[:4]))
    return WhatIf(
        question.kind.value,
        question.before,
        question.after,
        question.scope.name,
        question.as_of,
        pack_changes(question.before, question.after),
        townships,
        (totals[0], totals[1]),
        (totals[2], totals[3]),
    )


#: which way a household moves: flagged under the change and not before (added), or the other way (removed); a
#: household that cannot be judged under one of the packs moves as "not flagged" there, as the counts have it
MOVED = {
    "added": "now IS TRUE AND was IS NOT TRUE",
    "removed": "was IS TRUE AND now IS NOT TRUE",
}


def moved_households(question: Compared, direction: str, township: str = "", using: str = "default") -> list[int]:
    """The ids of the households in scope the change moves one way (MOVED), in household-number order; of one
    township's when `township` (its 9-digit prefix) is given. The drill-down behind whatif's counts: the same
    statement, so the list and the figure agree."""
    if direction not in MOVED:
        raise InvalidAssessment(_("变化方向应为“新增”或“减少”"), field="direction")
    length = PREFIX_LENGTH[Level.TOWNSHIP]
    where = MOVED[direction] + (f" AND substr(d.village_id, 1, {length}) = %(township)s" if township else "")
    rows = _compare_rows(
        question,
        lambda select: (
            f"SELECT d.household_id FROM ({select}) d JOIN {Household._meta.db_table} hh ON hh.id = d.household_id "
            f"WHERE {where} ORDER BY hh.number, hh.id"
        ),
        {"township": township},
        using,
    )
    return [row[0] for row in rows]
