"""What-if: re-judging the households in scope under another pack (or the same pack with some values changed),
counted by township: who would be added, who removed. Nothing is stored. Also the NAME=VALUE parsing of the
hypothetical values, which `fupin assess --set` shares.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connections, transaction
from django.utils.translation import gettext as _

from fupin.areas.models import PREFIX_LENGTH, Area, Level

from .. import compute
from ..evaluation import Plan, compare_select
from ..models import AREA_KINDS
from ..packs import Pack, display_value
from .scope import InvalidAssessment, as_of_or_today, assessment_kind, features_source, resolve_pack, resolve_scope


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
    def sentence(self) -> str:
        """E.g. 把2023年监测线从6600提高到7100，新增120户391人."""
        what = "、".join(self.changes) or f"改用标准包 {self.after.id}"
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
    "no_labour_never_eliminated": "无劳动能力户不消除的要求",
}


def pack_changes(before: Pack, after: Pack) -> list[str]:
    """What differs between two packs, as a county office would say it."""
    changes = []
    year = f"{after.year}年" if after.year == before.year else ""
    old, new = before.parameters, after.parameters
    for name in [*old, *(n for n in new if n not in old)]:
        if old.get(name) == new.get(name):
            continue
        label = FIGURE_LABELS.get(name, name)
        if isinstance(old.get(name), (int, float)) and not isinstance(old.get(name), bool) and name in new:
            verb = "提高到" if new[name] > old[name] else "降低到"
            changes.append(f"把{year}{label}从{display_value(old[name])}{verb}{display_value(new[name])}")
        else:
            changes.append(f"{year}{label}由{display_value(old.get(name))}改为{display_value(new.get(name))}")
    old_rules = {rule.id: rule.expression for rule in before.rules}
    new_rules = {rule.id: rule.expression for rule in after.rules}
    for rule_id in sorted(set(old_rules) | set(new_rules)):
        if old_rules.get(rule_id) != new_rules.get(rule_id):
            changes.append(
                f"规则 {rule_id} "
                + ("新增" if rule_id not in old_rules else "删除" if rule_id not in new_rules else "修改")
            )
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


def whatif(
    kind,
    *,
    user=None,
    before: str | None = None,
    after: str | None = None,
    values: dict | None = None,
    as_of: date | None = None,
    area: str | None = None,
    using: str = "default",
) -> WhatIf:
    """Re-judge the households in scope under another pack (or the same pack with some values changed) and count,
    by township, who would be added and who removed. Nothing is stored: one SELECT over one set of features."""
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
    plan_a, plan_b = Plan.of(first, kind), Plan.of(second, kind)
    dialect = compute.dialect_of(using)
    condition, scope_params = compute.scope_condition(scope.prefix)
    with transaction.atomic(using=using):
        compute.refresh_profiles(first.year, using)
        source = features_source(as_of, first.year, scope.prefix, using)
        length = PREFIX_LENGTH[Level.TOWNSHIP]
        sql = (
            f"SELECT substr(village_id, 1, {length}) AS township, "
            f"SUM(CASE WHEN now IS TRUE AND was IS NOT TRUE THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN now IS TRUE AND was IS NOT TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE AND now IS NOT TRUE THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE AND now IS NOT TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN was IS TRUE THEN 1 ELSE 0 END), SUM(CASE WHEN was IS TRUE THEN persons ELSE 0 END), "
            f"SUM(CASE WHEN now IS TRUE THEN 1 ELSE 0 END), SUM(CASE WHEN now IS TRUE THEN persons ELSE 0 END) "
            f"FROM ({compare_select(plan_a, plan_b, dialect, source, condition)}) d "
            f"GROUP BY substr(village_id, 1, {length})"
        )
        with connections[using].cursor() as cursor:
            cursor.execute(sql, {**compute.parameters(as_of, first.year), **scope_params})
            rows = cursor.fetchall()
        compute.drop_as_of_events(using)
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
        kind.value,
        first,
        second,
        scope.name,
        as_of,
        pack_changes(first, second),
        townships,
        (totals[0], totals[1]),
        (totals[2], totals[3]),
    )
