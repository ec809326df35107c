"""Policy packs: the shipped packs validate and say what DOMAIN.md says; inheritance resolves as documented;
a bad pack is refused with its file, line and reason; the boundaries of the shipped rules, worked out by hand."""

import textwrap
from datetime import date

import pytest

from fupin.policy.evaluation import Plan
from fupin.policy.features import FEATURES
from fupin.policy.models import Kind
from fupin.policy.packs import (
    KINDS,
    PackError,
    PackLibrary,
    PackNotFound,
    available_packs,
    default_library,
    load_pack,
    pack_for,
)
from fupin.policy.rules import evaluate
from fupin.policy.services.explain import explain
from fupin.policy.services.household import Decision
from fupin.registry.models import Household

NATIONAL_LINES = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}
CONFIRMED_LINES = {2014, 2015, 2016}


# ── the shipped packs ─────────────────────────────────────────────────────────────────────────────────────────


def test_every_shipped_pack_validates():
    packs = default_library().validate_all()
    assert [pack.id for pack in packs] == available_packs()
    counties = {"anyue-2018", "hequ-2019", "yangcheng-2020"}  # the seed counties' subsidy standards (补助标准)
    assert {f"national-{year}" for year in range(2014, 2026)} | {"sichuan-2018"} | counties == set(available_packs())
    for pack in packs:
        for figure in [*pack.lines.values(), *pack.params.values()]:
            assert figure.source.strip()
        assert {rule.kind for rule in pack.rules} <= set(KINDS)


@pytest.mark.parametrize("year, line", NATIONAL_LINES.items())
def test_national_poverty_lines_and_their_confirmation(year, line):
    figure = load_pack(f"national-{year}").lines["poverty_line"]
    assert figure.value == line
    assert figure.confirmed is (year in CONFIRMED_LINES)


def test_monitoring_lines_are_a_national_default_marked_unconfirmed():
    for year in range(2020, 2026):
        figure = load_pack(f"national-{year}").lines["monitoring_line"]
        assert figure.value == 6000 and figure.confirmed is False
        assert "1.5 × 4000" in figure.source
        if year >= 2021:
            assert "各省" in figure.source


def test_sichuan_2018_overrides_the_national_line_with_the_merged_3300():
    sichuan, national = load_pack("sichuan-2018"), load_pack("national-2018")
    assert national.lines["poverty_line"].value == 2995
    assert sichuan.lines["poverty_line"].value == 3300
    assert "兩線合一" in sichuan.lines["poverty_line"].source and "seeds/004_" in sichuan.lines["poverty_line"].source
    assert sichuan.lines["dibao_line"].value == 3300
    assert sichuan.params["incidence_threshold"].value == 0.03
    assert national.params["incidence_threshold"].value == 0.02
    assert sichuan.lineage[:2] == ("sichuan-2018", "national-2018")
    assert [rule.id for rule in sichuan.rules] == [rule.id for rule in national.rules]
    assert {rule.defined_in for rule in sichuan.rules} == {"national-2014"}
    assert sichuan.version != national.version
    assert sichuan.compile("duckdb")["exit_income_above_line"] == '"income_per_capita" > CAST(3300 AS DOUBLE)'


def test_from_2021_there_are_no_exit_rules_but_monitoring_elimination_and_checks():
    kinds = {rule.kind for rule in load_pack("national-2021").rules}
    assert "exit" not in kinds
    assert {"monitor_unstable", "monitor_marginal", "monitor_sudden", "risk_elimination", "data_check"} <= kinds
    rule_ids = {year: [rule.id for rule in load_pack(f"national-{year}").rules] for year in (2021, 2025)}
    assert rule_ids[2025] == rule_ids[2021]


@pytest.mark.parametrize(
    "area, year, expected",
    [
        ("510121001001", 2018, "sichuan-2018"),  # a village in Sichuan
        ("51", 2018, "sichuan-2018"),
        ("510000", 2018, "sichuan-2018"),
        ("510121001001", 2019, "national-2019"),  # no Sichuan pack for 2019
        ("140000000000", 2018, "national-2018"),
        ("national", 2014, "national-2014"),
    ],
)
def test_pack_for_picks_the_most_specific_region(area, year, expected):
    assert pack_for(area, year).id == expected


def test_pack_for_a_year_without_packs():
    with pytest.raises(PackNotFound):
        pack_for("510121", 2013)
    with pytest.raises(PackNotFound):
        load_pack("national-1999")


# ── the shipped rules at their boundaries, by hand ─────────────────────────────────────────────────────────────

EXITING = {  # a poor household meeting every exit condition except, perhaps, income
    "status": "poor",
    "food_clothing_secure": True,
    "child_out_of_school": False,
    "anyone_uninsured": False,
    "housing_unsafe": False,
    "housing_grade": "1",
    "safe_drinking_water": True,
}


def _results(pack, kind: str, features) -> dict:
    """Each rule of the kind: its result (None: unknown) for these features under the pack's figures."""
    return {rule.id: evaluate(rule.tree, features, pack.parameters) for rule in pack.rules_of(kind)}


def _exit_results(pack_id, **features):
    return _results(load_pack(pack_id), "exit", {**EXITING, **features})


@pytest.mark.parametrize(
    "income, national, sichuan",
    [
        (2995.00, False, False),  # exactly at the 2018 national line: not above it
        (2995.01, True, False),
        (3300.00, True, False),  # exactly at Sichuan's merged line
        (3300.01, True, True),
        (0, False, False),
        (-1200, False, False),  # business losses can make net income negative
        (None, None, None),  # no income account: unknown, neither pass nor fail
    ],
)
def test_exit_income_at_the_line(income, national, sichuan):
    assert _exit_results("national-2018", income_per_capita=income)["exit_income_above_line"] is national
    assert _exit_results("sichuan-2018", income_per_capita=income)["exit_income_above_line"] is sichuan


def test_exit_explains_each_condition_with_values_and_lines():
    """Through the one renderer of explanations (policy.services.explain), on features given by hand."""
    pack = load_pack("national-2018")
    plan = Plan.of(pack, Kind.EXIT)
    given = {**EXITING, "income_per_capita": 2995, "housing_unsafe": True, "housing_grade": "3"}
    features = {name: given.get(name) for name in plan.features}
    decision = Decision(Household(number="T1"), Kind.EXIT, pack, date(2018, 12, 15), *plan.judge(features), features)
    lines = explain(decision).lines
    by_id = {line.id: line for line in lines}
    assert len(lines) == 7
    assert by_id["exit_income_above_line"].explanation.startswith("人均纯收入 2995 元，扶贫标准 2995 元")
    assert by_id["exit_income_above_line"].verdict == "不符合"
    assert by_id["exit_housing_safety"].result is False
    assert by_id["exit_housing_safety"].explanation == "住房不安全：是（住房安全等级 D级危房）"  # the label, not 3
    assert by_id["exit_drinking_water"].verdict == "符合"


MONITORING = {
    "ever_poor": True,
    "status": "exited",
    "income_per_capita": 5000,
    "out_of_pocket": 0,
    "net_income_last_year": 20000,
    "income_change_ratio": 0.1,
}


def _meets(pack, kind, features):
    return all(_results(pack, kind, features).values())


@pytest.mark.parametrize(
    "features, category",
    [
        ({}, "monitor_unstable"),
        ({"income_per_capita": 6000}, "monitor_unstable"),  # at the monitoring line is inside the range
        ({"ever_poor": False, "status": "ordinary"}, "monitor_marginal"),
        ({"income_per_capita": 6000.01, "out_of_pocket": 25000}, "monitor_sudden"),
        ({"income_per_capita": 9000, "income_change_ratio": -0.5}, "monitor_sudden"),  # halved exactly
        ({"income_per_capita": 9000, "out_of_pocket": 20001, "net_income_last_year": 20000}, "monitor_sudden"),
        ({"income_per_capita": 9000}, None),
        ({"income_per_capita": 9000, "income_change_ratio": None, "net_income_last_year": None}, None),
        ({"status": "monitored"}, None),
    ],
)
def test_monitoring_screening_puts_a_household_in_at_most_one_category(features, category):
    pack = load_pack("national-2021")
    household = {**MONITORING, **features}
    met = [kind for kind in ("monitor_unstable", "monitor_marginal", "monitor_sudden") if _meets(pack, kind, household)]
    assert met == ([category] if category else [])


ELIMINABLE = {
    "status": "monitored",
    "income_per_capita": 7000,
    "food_clothing_secure": True,
    "child_out_of_school": False,
    "anyone_uninsured": False,
    "housing_unsafe": False,
    "housing_grade": "1",
    "safe_drinking_water": True,
    "months_monitored": 3,
    "measures_in_place": 0,
    "no_labour_household": True,
    "labour_capacity_all_lost": True,
}


def test_risk_elimination_options_act_through_the_rules(tmp_path):
    assert _meets(load_pack("national-2021"), "risk_elimination", ELIMINABLE)
    _write(
        tmp_path,
        "strict-2021",
        """\
        id: strict-2021
        region: "53"
        year: 2021
        inherits: national-2021
        options:
          require_six_months: true
          no_labour_never_eliminated: true
    """,
    )
    for path in default_library().directory.glob("national-*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    strict = PackLibrary(tmp_path).load("strict-2021")
    failed = {rule_id for rule_id, result in _results(strict, "risk_elimination", ELIMINABLE).items() if not result}
    assert failed == {"elimination_monitored_long_enough", "elimination_not_without_labour"}
    able = {
        **ELIMINABLE,
        "months_monitored": 6,
        "measures_in_place": 1,
        "no_labour_household": False,
        "labour_capacity_all_lost": False,
    }
    assert _meets(strict, "risk_elimination", able)


def test_every_shipped_rule_compiles_and_runs_in_each_database(feature_table):
    empty = dict.fromkeys(FEATURES)
    feature_table.load([empty, {**empty, **ELIMINABLE, **MONITORING}])
    for pack_id in available_packs():
        compiled = load_pack(pack_id).compile(feature_table.dialect)
        assert len(feature_table.results(list(compiled.values()))) == 2


def test_a_what_if_line_recompiles_without_reparsing():
    pack = load_pack("national-2023")
    assert pack.compile("sqlite", {"monitoring_line": 7100})["unstable_income_in_range"] == (
        '"income_per_capita" <= CAST(7100 AS REAL)'
    )


# ── inheritance and refusal, on packs written for the test ─────────────────────────────────────────────────────

BASE = """\
    id: base
    region: national
    year: 2020
    lines:
      poverty_line: {value: 4000, source: test, confirmed: true}
    params:
      drop: {value: 0.5, source: test, confirmed: false}
    options:
      strict: false
    rules:
      - id: income
        title: 收入
        kind: exit
        expression: income_per_capita > $poverty_line
        explain: 收入 {income_per_capita}，线 {poverty_line}
      - id: water
        title: 饮水
        kind: exit
        expression: safe_drinking_water or not $strict
        explain: 饮水 {safe_drinking_water}
"""  # line 14 is the expression of rule income, line 19 that of rule water


def _write(directory, name, text):
    path = directory / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_inheritance_overrides_keys_and_rules_by_id(tmp_path):
    _write(tmp_path, "base", BASE)
    _write(
        tmp_path,
        "child",
        """\
        id: child
        region: "51"
        year: 2021
        inherits: base
        lines:
          monitoring_line: {value: 6000, source: child, confirmed: false}
        options:
          strict: true
        rules:
          - id: water
            title: 饮水（省）
            kind: exit
            expression: safe_drinking_water and $strict
            explain: 饮水 {safe_drinking_water}
          - id: income
            removed: true
          - id: sudden
            title: 收入下降
            kind: monitor_sudden
            expression: income_change_ratio <= -$drop and income_per_capita > $monitoring_line
            explain: 变化 {income_change_ratio}
    """,
    )
    child = PackLibrary(tmp_path).load("child")
    assert child.lineage == ("child", "base")
    assert child.lines["poverty_line"].value == 4000 and child.lines["monitoring_line"].value == 6000
    assert child.params["drop"].value == 0.5 and child.options == {"strict": True}
    assert [(rule.id, rule.title, rule.defined_in) for rule in child.rules] == [
        ("water", "饮水（省）", "child"),
        ("sudden", "收入下降", "child"),
    ]
    assert child.parameters == {"poverty_line": 4000, "monitoring_line": 6000, "drop": 0.5, "strict": True}


# (files other than BASE, the file and line expected, a fragment of the reason)
BAD_PACKS = {
    "unknown key": ({"base": BASE + "    colour: red\n"}, "base", 21, "未知的键 'colour'"),
    "wrong type": ({"base": BASE.replace("year: 2020", "year: '2020'")}, "base", 3, "'year' 应为整数"),
    "unquoted region": ({"base": BASE.replace("region: national", "region: 51")}, "base", 2, "'region' 应为非空文本"),
    "bad region": ({"base": BASE.replace("region: national", "region: '5101'")}, "base", 2, "region '5101'"),
    "missing field": ({"base": BASE.replace("        kind: exit\n", "", 1)}, "base", 11, "缺少必填项 'kind'"),
    "line without source": (
        {"base": BASE.replace("{value: 4000, source: test, confirmed: true}", "{value: 4000, confirmed: true}")},
        "base",
        5,
        "lines.poverty_line 缺少必填项 'source'",
    ),
    "line not a number": (
        {"base": BASE.replace("value: 4000", "value: about 4000")},
        "base",
        5,
        "'value' 应为数值",
    ),
    "unknown kind": ({"base": BASE.replace("kind: exit", "kind: leave", 1)}, "base", 13, "kind 'leave' 未知"),
    "bad expression": (
        {"base": BASE.replace("income_per_capita > $poverty_line", "income_per_capita > pg_sleep(1)")},
        "base",
        14,
        "规则 income 的 expression 无效：未知函数 'pg_sleep'",
    ),
    "unknown feature": (
        {"base": BASE.replace("income_per_capita > $poverty_line", "incme > $poverty_line")},
        "base",
        14,
        "未知特征 'incme'",
    ),
    "unknown placeholder": ({"base": BASE.replace("线 {poverty_line}", "线 {line}")}, "base", 15, "占位符 {line}"),
    "formatted placeholder": (
        {"base": BASE.replace("线 {poverty_line}", "线 {poverty_line:.2f}")},
        "base",
        15,
        "只能是一个名字",
    ),
    "unused option": (
        {"base": BASE.replace("safe_drinking_water or not $strict", "safe_drinking_water")},
        "base",
        9,
        "选项 strict 没有任何规则使用",
    ),
    "name clash": ({"base": BASE.replace("drop: {", "poverty_line: {")}, "base", 7, "同时出现在 lines 与 params"),
    "feature name as param": ({"base": BASE.replace("drop: {", "members: {")}, "base", 7, "members 是特征名"),
    "duplicate key": ({"base": BASE.replace("year: 2020", "year: 2020\n    year: 2021")}, "base", 4, "键 'year' 重复"),
    "duplicate rule id": (
        {"base": BASE.replace("id: water", "id: income")},
        "base",
        16,
        "规则 id 'income' 在本文件中重复",
    ),
    "yaml syntax": ({"base": BASE.replace("kind: exit", "kind: [exit", 1)}, "base", 14, "YAML 格式错误"),
    "alias": (
        {
            "base": BASE.replace(
                "drop: {value: 0.5, source: test, confirmed: false}",
                "drop: &d {value: 0.5, source: test, confirmed: false}\n      again: *d",
            )
        },
        "base",
        8,
        "别名",
    ),
    "id not the file name": ({"base": BASE.replace("id: base", "id: other")}, "base", 1, "应与文件名 base 一致"),
    "unknown parent": (
        {"base": BASE.replace("year: 2020", "year: 2020\n    inherits: nobody")},
        "base",
        4,
        "未知的父标准包 'nobody'",
    ),
    "cycle": (
        {
            "base": BASE.replace("year: 2020", "year: 2020\n    inherits: child"),
            "child": "id: child\nregion: national\nyear: 2021\ninherits: base\n",
        },
        "base",
        4,
        "继承形成循环",
    ),
    "child region outside parent": (
        {
            "base": BASE.replace("region: national", "region: '51'"),
            "child": "id: child\nregion: '140121'\nyear: 2020\ninherits: base\n",
        },
        "child",
        2,
        "地区 140121 不在父标准包 base 的地区 51 之内",
    ),
    "child earlier than parent": (
        {"base": BASE, "child": "id: child\nregion: national\nyear: 2019\ninherits: base\n"},
        "child",
        3,
        "年份 2019 早于父标准包 base",
    ),
    "same region and year twice": (
        {"base": BASE, "child": "id: child\nregion: national\nyear: 2020\n"},
        "child",
        1,
        "2020 年已有标准包 base",
    ),
    "removing what is not there": (
        {
            "base": BASE,
            "child": "id: child\nregion: national\nyear: 2021\ninherits: base\nrules:\n  - {id: nope, removed: true}\n",
        },
        "child",
        6,
        "要删除的规则 nope 在父标准包中不存在",
    ),
    "child repeats an option's name as a param": (
        {
            "base": BASE,
            "child": "id: child\nregion: national\nyear: 2021\ninherits: base\nlines:\n"
            "  poverty_line: {value: 0, source: x, confirmed: true}\nparams:\n"
            "  strict: {value: 'yes', source: x, confirmed: true}\n",
        },
        "child",
        8,
        "同时出现在 params 与 options",
    ),
    "child changes the type of a parameter an inherited rule reads": (
        {
            "base": BASE,
            "mid": "id: mid\nregion: national\nyear: 2021\ninherits: base\nrules:\n"
            "  - {id: fall, title: t, kind: exit, expression: 'income_change_ratio < $drop', explain: x}\n",
            "child": "id: child\nregion: national\nyear: 2022\ninherits: mid\nparams:\n"
            "  drop: {value: 'half', source: x, confirmed: true}\n",
        },
        "mid",
        6,
        "规则 fall 的 expression 无效（在标准包 child 中）：比较 '<' 的两边类型不一致",
    ),
    "empty file": ({"base": ""}, "base", 1, "文件为空"),
    "not a mapping": ({"base": "- a\n- b\n"}, "base", 1, "应是一个映射"),
}


@pytest.mark.parametrize("files, file, line, reason", BAD_PACKS.values(), ids=BAD_PACKS.keys())
def test_a_bad_pack_is_refused_with_file_line_and_reason(tmp_path, files, file, line, reason):
    for name, text in files.items():
        _write(tmp_path, name, text)
    with pytest.raises(PackError) as refused:
        PackLibrary(tmp_path).validate_all()
    problems = refused.value.problems
    assert any(p.file == str(tmp_path / f"{file}.yaml") and p.line == line and reason in p.message for p in problems), (
        "\n".join(map(str, problems))
    )
    assert f"{file}.yaml:{line}: " in str(refused.value)


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    _write(tmp_path, "base", BASE.replace("year: 2020", "year: '2020'").replace("kind: exit", "kind: leave", 1))
    with pytest.raises(PackError) as refused:
        PackLibrary(tmp_path)
    assert [problem.line for problem in refused.value.problems] == [3, 13]
