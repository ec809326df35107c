"""Explanations: each rule of a decision with the household's values, the thresholds and pass/fail, in Chinese.

Re-evaluated in Python from the stored features, which must give the stored (SQL) result; values are shown as the
viewer may see them (health-derived counts masked like health itself). The one renderer of rule explanations:
the household page, the API and `fupin explain` all read it.
"""

import string
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts.masking import mask_value
from fupin.registry import codes

from .. import rules as rule_language
from ..evaluation import Plan, decode_results
from ..features import FEATURES
from ..models import Kind
from ..packs import KINDS as RULE_KIND_LABELS
from ..packs import display_value
from .household import Decision
from .scope import CATEGORY_LABELS

#: features derived from health status, which is masked for every role in a read (accounts.roles)
MASKED_FEATURES = {"seriously_ill_members": "health", "disabled_members": "health"}


def display(name: str, value) -> str:
    """A value as explanations show it; health-derived counts are masked like health itself."""
    if name in MASKED_FEATURES and value is not None:
        return mask_value(MASKED_FEATURES[name], value)
    feature = FEATURES.get(name)
    if feature is not None and feature.choices and value is not None:
        return str(_CODE_LABELS.get(name, {}).get(str(value), value))  # the label, never the code
    return display_value(value)


_CODE_LABELS = {
    "household_type": dict(codes.HouseholdType.choices),
    "status": dict(codes.Status.choices),
    "monitoring_category": dict(codes.MonitoringCategory.choices),
    "risk_type": dict(codes.RiskType.choices),
    "housing_grade": dict(codes.HousingSafety.choices),
}


@dataclass
class RuleLine:
    id: str
    title: str
    group: str  # the pack rule kind's label (e.g. 监测对象识别：边缘易致贫户)
    rule_text: str
    result: bool | None
    verdict: str
    explanation: str
    values: list[tuple[str, str]]  # (feature label, value as shown)
    thresholds: list[tuple[str, str, bool]]  # (name, value, confirmed)
    reason: bool = False  # one of the rules that put the household in its category


@dataclass
class Explanation:
    household_number: str
    kind: str
    kind_label: str
    pack_id: str
    pack_version: str
    pack_title: str
    as_of: date
    year: int
    outcome: bool | None
    category: str
    category_label: str
    summary: str
    lines: list[RuleLine] = field(default_factory=list)
    agrees: bool = True  # the Python evaluator gives what the stored (SQL) decision says

    def text(self) -> str:
        """Plain Chinese text for the CLI."""
        marks = {True: "✔", False: "✘", None: "？"}
        out = [
            f"户 {self.household_number} · {self.kind_label} · 标准包 {self.pack_id}（版本 {self.pack_version}）"
            f" · 收入年度 {self.year} · 评估基准日 {self.as_of}",
            self.summary,
        ]
        group = None
        for line in self.lines:
            if line.group != group:
                group = line.group
                out.append(f"【{group}】")
            out.append(f"  {marks[line.result]} {line.title}：{line.verdict}{'（入选理由）' if line.reason else ''}")
            out.append(f"     {line.explanation}")
            thresholds = "，".join(f"{n} = {v}{'' if c else '（未确认）'}" for n, v, c in line.thresholds)
            out.append(f"     规则：{line.rule_text}" + (f"；标准：{thresholds}" if thresholds else ""))
        if not self.agrees:
            out.append("警告：按规则逐条复核的结果与存储的结论不一致，请联系系统管理员")
        return "\n".join(out)


#: what a decision's outcome means, in each kind's own words (true, false); a run's summary counts under the same
#: words, so the figure a clerk reads and the explanation of any household behind it say the same thing. For data
#: checks "true" is a suspected problem found: its households "不符合" nothing, they have nothing wrong.
OUTCOME_WORDS = {
    Kind.EXIT: (gettext_lazy("符合贫困户退出标准"), gettext_lazy("不符合贫困户退出标准")),
    Kind.MONITORING: (gettext_lazy("符合监测对象识别条件"), gettext_lazy("不符合任何一类监测对象识别条件")),
    Kind.RISK_ELIMINATION: (gettext_lazy("符合风险消除条件"), gettext_lazy("不符合风险消除条件")),
    Kind.DATA_CHECK: (gettext_lazy("发现数据疑点"), gettext_lazy("未发现数据疑点")),
    Kind.VILLAGE_EXIT: (gettext_lazy("符合贫困村退出条件"), gettext_lazy("不符合贫困村退出条件")),
    Kind.COUNTY_EXIT: (gettext_lazy("符合贫困县退出条件"), gettext_lazy("不符合贫困县退出条件")),
}
UNKNOWN_WORDS = gettext_lazy("无法判断（缺少数据）")


def outcome_words(kind, outcome: bool | None) -> str:
    """The words of one outcome of a kind (None: cannot be judged for want of data)."""
    if outcome is None:
        return str(UNKNOWN_WORDS)
    return str(OUTCOME_WORDS[Kind(kind)][0 if outcome else 1])


def rule_verdict(kind, result: bool | None) -> str:
    """One rule's result: met or not; for a data check, whether the rule found a suspected problem."""
    if result is None:
        return str(UNKNOWN_WORDS)
    if Kind(kind) == Kind.DATA_CHECK:
        return _("发现疑点") if result else _("未见疑点")
    return _("符合") if result else _("不符合")


def _summary(decision: Decision) -> str:
    words = outcome_words(decision.kind, decision.outcome)
    if decision.kind == Kind.MONITORING and decision.category:
        return _("结论：%(words)s——%(category)s") % {"words": words, "category": CATEGORY_LABELS[decision.category]}
    return _("结论：%(words)s") % {"words": words}


@dataclass
class SummaryLine:
    """One line of a run's summary: what it counts (in its kind's outcome words), households or areas, persons."""

    label: str
    count: int
    persons: int | None
    outcome: bool | None
    part: bool = False  # a part of the line above it (a monitoring category)


def run_summary(run) -> list[SummaryLine]:
    """A run's totals as the run page and `fupin assess` show them: one line per outcome in the kind's words (the
    explanation's), and for monitoring each category under the households that meet the conditions. Household
    runs count households and persons; village and county runs count areas."""
    kind = Kind(run.kind)
    if kind in (Kind.VILLAGE_EXIT, Kind.COUNTY_EXIT):
        rest = run.households - run.passed - run.unknown
        return [
            SummaryLine(outcome_words(kind, True), run.passed, None, True),
            SummaryLine(outcome_words(kind, False), rest, None, False),
            SummaryLine(outcome_words(kind, None), run.unknown, None, None),
        ]
    outcome = run.counts.get("outcome", {})
    lines = []
    for key, value in (("true", True), ("false", False), ("unknown", None)):
        households, persons = outcome.get(key, [0, 0])
        lines.append(SummaryLine(outcome_words(kind, value), households, persons, value))
        if value is True:
            for code, (n, p) in sorted(run.counts.get("category", {}).items()):
                label = _("其中 %(category)s") % {"category": CATEGORY_LABELS.get(code, code)}
                lines.append(SummaryLine(label, n, p, True, part=True))
    return lines


def explain(decision: Decision) -> Explanation:
    """Each rule of the decision's kind with the values, the thresholds and pass/fail, in Chinese; re-evaluated
    in Python from the stored features, which must give the stored (SQL) results."""
    pack = decision.pack
    plan = Plan.of(pack, decision.kind)
    parameters = pack.parameters
    outcome, category, results = plan.judge(decision.features)
    agrees = (outcome, category, results) == (decision.outcome, decision.category, decision.results)
    shown = {name: display(name, value) for name, value in decision.features.items()}
    figures = {**pack.lines, **pack.params}
    lines = []
    reason_kind = next(
        (
            k
            for k, code in (("monitor_unstable", "1"), ("monitor_marginal", "2"), ("monitor_sudden", "3"))
            if code == decision.category
        ),
        None,
    )
    for rule, result in zip(plan.rules, decode_results(decision.results, len(plan.rules))):
        used = rule_language.features_used(rule.tree)
        template_values = {**shown, **{name: display_value(value) for name, value in parameters.items()}}
        lines.append(
            RuleLine(
                id=rule.id,
                title=rule.title,
                group=RULE_KIND_LABELS[rule.kind],
                rule_text=rule_language.to_rule_text(rule.tree),
                result=result,
                verdict=rule_verdict(decision.kind, result),
                explanation=_render(rule.explain, template_values),
                values=[(FEATURES[name].label, shown.get(name, "")) for name in used],
                thresholds=[
                    (name, display_value(parameters[name]), figures[name].confirmed if name in figures else True)
                    for name in rule_language.params_used(rule.tree)
                ],
                reason=rule.kind == reason_kind,
            )
        )
    return Explanation(
        household_number=decision.household.number,
        kind=decision.kind.value,
        kind_label=str(decision.kind.label),
        pack_id=pack.id,
        pack_version=pack.version,
        pack_title=pack.title,
        as_of=decision.as_of,
        year=pack.year,
        outcome=decision.outcome,
        category=decision.category,
        category_label=CATEGORY_LABELS.get(decision.category, ""),
        summary=_summary(decision),
        lines=lines,
        agrees=agrees,
    )


def _render(template: str, shown: dict) -> str:
    """The rule's explanation template with values already turned into text (so masking holds)."""
    return "".join(
        literal + (shown.get(name, "（无数据）") if name is not None else "")
        for literal, name, _spec, _conversion in string.Formatter().parse(template)
    )
