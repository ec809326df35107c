"""The standards (补助标准) section of a policy pack: read and checked with the pack — every problem at its file
and line, naming the field — and inherited by code (a child's standard replaces its parent's whole, `removed`
drops one). The seed counties' packs resolve for their own region codes."""

import pytest

from fupin.policy.packs import PackError, PackLibrary, default_library

HEAD = """\
id: {id}
region: "{region}"
year: 2018
{inherits}standards:
"""

ROAD = """\
  road:
    title: 道路补助
    subject: 项目
    money_unit: 万元
    source: 测试
    confirmed: true
    facts:
      length_km: {label: 里程, unit: 公里}
      width_m: {label: 路面宽度, unit: 米, classes: [3.5, 4.5]}
    lines:
      - {funder: 交通局, when: {width_m: 3.5}, rate: 15, per: length_km}
"""


def library(tmp_path, *packs) -> PackLibrary:
    for pack_id, region, inherits, body in packs:
        head = HEAD.format(id=pack_id, region=region, inherits=f"inherits: {inherits}\n" if inherits else "")
        (tmp_path / f"{pack_id}.yaml").write_text(head + body, encoding="utf-8")
    return PackLibrary(tmp_path)


def problems(tmp_path, body) -> list[str]:
    with pytest.raises(PackError) as refused:
        library(tmp_path, ("t-2018", "national", None, body))
    return [problem.described() for problem in refused.value.problems]


def test_a_well_formed_standard_is_read(tmp_path):
    standard = library(tmp_path, ("t-2018", "national", None, ROAD)).standards_of("t-2018")["road"]
    assert [fact.name for fact in standard.facts] == ["length_km", "width_m"]
    assert standard.lines[0].per == ("length_km",) and standard.defined_in == "t-2018"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("rate: 15", "rate: -15"),
            "t-2018.yaml 第 15 行：standards.road.lines 第 1 项.rate 应为大于 0 的数值，实际是 -15",
        ),
        (("money_unit: 万元", "money_unit: 千元"), "t-2018.yaml 第 8 行：standards.road.money_unit 应为万元 或 元"),
        (("classes: [3.5, 4.5]", "classes: [4.5, 3.5]"), "第 13 行：standards.road.facts.width_m.classes 应为由小到大"),
        (
            ("{width_m: 3.5}", "{width_m: 4.0}"),
            "第 15 行：standards.road.lines 第 1 项.when.width_m 应是档次 3.5, 4.5 之一",
        ),
        (("{width_m: 3.5}", "{lane: 3.5}"), "第 15 行：standards.road.lines 第 1 项.when 的 'lane' 不在 facts 中"),
        (("per: length_km", "per: width_m"), "第 15 行：standards.road.lines 第 1 项.per 应为facts 中的数值参数"),
        (
            ("    confirmed: true\n", "    confirmed: true\n    colour: red\n"),
            "第 11 行：standards.road 有未知的键 'colour'",
        ),
        (("    title: 道路补助\n", ""), "第 6 行：standards.road 缺少必填项 'title'"),
        (("  road:", "  Road:"), "第 5 行：补助标准代码 'Road' 只能含小写字母"),
    ],
)
def test_a_bad_standard_is_refused_at_its_file_line_and_field(tmp_path, change, expected):
    found = problems(tmp_path, ROAD.replace(*change))
    assert any(expected in problem for problem in found), found


def test_a_standards_section_that_is_not_a_mapping_is_refused(tmp_path):
    found = problems(tmp_path, "  - road\n")
    assert found == ["t-2018.yaml 第 5 行：'standards' 应为映射（键: 值），实际是 ['road']"]


def test_a_child_replaces_adds_and_removes_standards_by_code(tmp_path):
    other = ROAD.replace("  road:", "  bridge:").replace("道路补助", "桥梁补助")
    child_road = ROAD.replace("rate: 15", "rate: 20")
    packs = library(
        tmp_path,
        ("parent-2018", "national", None, ROAD + other),
        ("child-2018", "51", "parent-2018", child_road + "  bridge:\n    removed: true\n"),
        ("grandchild-2018", "512021", "child-2018", other),
    )
    assert set(packs.standards_of("parent-2018")) == {"road", "bridge"}
    child = packs.standards_of("child-2018")
    assert set(child) == {"road"} and child["road"].lines[0].rate == 20 and child["road"].defined_in == "child-2018"
    grandchild = packs.standards_of("grandchild-2018")
    assert {code: s.defined_in for code, s in grandchild.items()} == {"road": "child-2018", "bridge": "grandchild-2018"}


def test_removing_with_anything_else_is_refused(tmp_path):
    found = problems(tmp_path, "  road:\n    removed: true\n    title: x\n")
    assert any("standards.road：删除时只写 removed: true" in problem for problem in found), found


@pytest.mark.parametrize(
    ("area", "year", "pack", "codes"),
    [
        ("512021100201", 2018, "anyue-2018", {"road_hardening", "exiting_village_fund", "household_industry",
                                              "disability_care"}),
        ("140522100201", 2020, "yangcheng-2020", {"employment_startup"}),
        ("140930100201", 2019, "hequ-2019", {"education_aid", "hospital_stay", "disability_extra"}),
        ("512021100201", 2019, "national-2019", set()),  # no county pack that year: no standards
        ("510121001001", 2018, "sichuan-2018", set()),  # another Sichuan county keeps the province's pack
    ],
)  # fmt: skip
def test_the_seed_counties_packs_hold_their_standards(area, year, pack, codes):
    packs = default_library()
    found = packs.for_region(area, year)
    assert found.id == pack
    assert set(packs.standards_of(found.id)) == codes


def test_anyue_keeps_sichuans_lines_and_rules():
    """The county pack only adds standards: the same poverty line (两线合一 3300) and rules as Sichuan's."""
    packs = default_library()
    anyue, sichuan = packs.load("anyue-2018"), packs.load("sichuan-2018")
    assert anyue.lineage[:2] == ("anyue-2018", "sichuan-2018")
    assert anyue.lines == sichuan.lines and anyue.params == sichuan.params
    assert [rule.id for rule in anyue.rules] == [rule.id for rule in sichuan.rules]


def test_removing_a_standard_no_parent_defines_is_refused(tmp_path):
    packs = library(
        tmp_path,
        ("parent-2018", "national", None, ROAD),
        ("child-2018", "51", "parent-2018", "  bridge:\n    removed: true\n"),
    )
    with pytest.raises(PackError) as refused:
        packs.standards_of("child-2018")
    assert [p.described() for p in refused.value.problems] == [
        "child-2018.yaml 第 6 行：要删除的补助标准 bridge 在父标准包中不存在"
    ]
    with pytest.raises(PackError):
        packs.validate_all()  # the packs' check (fupin validate) finds it too


def test_an_upload_with_a_bad_standard_is_refused_at_its_line(db):
    """An uploaded county pack is checked as a file is (乐至县 512022: a county without a shipped pack)."""
    from fupin.policy.services.packs import check_upload

    head = HEAD.format(id="lezhi-2018", region="512022", inherits="inherits: sichuan-2018\n")
    with pytest.raises(PackError) as refused:
        check_upload("乐至县补助标准.yaml", (head + ROAD.replace("rate: 15", "rate: 0")).encode())
    assert [p.described() for p in refused.value.problems] == [
        "乐至县补助标准.yaml 第 16 行：standards.road.lines 第 1 项.rate 应为大于 0 的数值，实际是 0"
    ]
