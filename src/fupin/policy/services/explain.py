"""Explanations: each rule of a decision with the household's values, the thresholds and pass/fail, in Chinese.

Re-evaluated in Python from the stored features, which must give the stored (SQL) result; values are shown as the
viewer may see them (health-derived counts masked like health itself). The one renderer of rule explanations:
the household page, the API and `fupin explain` all read it.
"""

import string
from dataclasses import dataclass, field
from datetime import date

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
        label = _CODE_LABELS.get(name, {}).get(str(value))
        return f"{value} {label}" if label else str(value)
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


def _summary(decision: Decision) -> str:
    if decision.kind == Kind.MONITORING:
        if decision.category:
            return f"结论：符合监测对象识别条件——{CATEGORY_LABELS[decision.category]}"
        return "结论：无法判断（缺少数据）" if decision.outcome is None else "结论：不符合任何一类监测对象识别条件"
    verdicts = {
        Kind.EXIT: ("符合贫困户退出标准", "不符合贫困户退出标准"),
        Kind.RISK_ELIMINATION: ("符合风险消除条件", "不符合风险消除条件"),
        Kind.DATA_CHECK: ("发现数据疑点", "未发现数据疑点"),
    }[decision.kind]
    if decision.outcome is None:
        return "结论：无法判断（缺少数据）"
    return "结论：" + (verdicts[0] if decision.outcome else verdicts[1])


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
                verdict={True: "符合", False: "不符合", None: "无法判断（缺少数据）"}[result],
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
