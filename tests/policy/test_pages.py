"""The assessment pages a clerk uses: which run a list reads (the county's, even after a later township run), the
runs list with the runs above the user's area counted in it, summaries in the words of the explanations, and the
what-if's drill-down to the households a change moves — each counted by hand on a small registry."""

import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from fupin.policy.models import HouseholdDecision
from fupin.policy.services.batch import assess
from fupin.policy.services.explain import explain, outcome_words, run_summary
from fupin.policy.services.household import stored_decision
from fupin.policy.services.queries import chosen_run, in_scope, listed_runs, run_for
from fupin.policy.services.whatif import compared, moved_households
from fupin.registry import codes
from tests.factories import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tests.policy.registry_data import income, member

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)  # monitoring screening on 2023 incomes


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def marginal(make_household):
    """Never-poor households of one person with a 2023 income of 5000 (边缘易致贫户 under the 6000 line): one in
    东一村 (东乡镇), one in 西一村 (西乡镇)."""
    found = {}
    for key, village in (("a1", VILLAGE_A1), ("b1", VILLAGE_B1)):
        household = make_household(village, members=[member("甲", "01")])
        income(household, 2023, wage="5000")
        found[key] = household
    return found


# ── which run a list reads ──────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def county_then_township(users, marginal):
    """The county's run, then a later run of 东乡镇 alone."""
    county_run = assess("monitoring", user=users["county"], pack_id="national-2023", as_of=AS_OF)
    township_run = assess("monitoring", user=users["township_a"], pack_id="national-2023", as_of=AS_OF)
    assert township_run.finished_at >= county_run.finished_at and township_run.area_code == TOWNSHIP_A[:9]
    return county_run, township_run


def test_a_later_township_run_does_not_replace_the_countys_run(users, county_then_township):
    county_run, township_run = county_then_township
    assert run_for(users["county"], "monitoring").pk == county_run.pk
    assert run_for(users["township_a"], "monitoring").pk == county_run.pk  # the widest covering run
    assert run_for(users["village_a1"], "monitoring").pk == county_run.pk
    assert chosen_run(users["township_a"], "monitoring", township_run.pk).pk == township_run.pk  # picked
    assert run_for(users["township_a"], "exit") is None


def test_a_county_user_with_only_township_runs_reads_the_latest_one(users, marginal):
    township_run = assess("monitoring", user=users["township_a"], pack_id="national-2023", as_of=AS_OF)
    assert run_for(users["county"], "monitoring").pk == township_run.pk
    assert run_for(users["village_b1"], "monitoring") is None  # 西乡镇 has no run


def test_a_run_outside_the_users_area_cannot_be_picked(users, county_then_township):
    _county_run, township_run = county_then_township
    with pytest.raises(Exception, match="未找到该评估批次"):
        chosen_run(users["village_b1"], "monitoring", township_run.pk)  # 西一村 is not under 东乡镇


def test_runs_listed_for_a_township_hold_the_countys_runs_counted_in_the_township(users, county_then_township):
    county_run, township_run = county_then_township
    listed = list(listed_runs(users["township_a"]))
    assert [run.pk for run in listed] == [township_run.pk, county_run.pk]  # newest first; the county's is there
    counted = in_scope(users["township_a"], listed[1])
    assert (counted.households, counted.passed) == (1, 1) and (county_run.households, county_run.passed) == (2, 2)
    assert [run.pk for run in listed_runs(users["village_b1"])] == [county_run.pk]  # 东乡镇's run is not 西一村's


def test_the_flagged_page_names_its_run_and_shows_its_kind(client, users, county_then_township):
    county_run, township_run = county_then_township
    client.force_login(users["township_a"])
    response = client.get("/assessments/flagged/", {"run": county_run.pk})
    page = response.content.decode()
    assert f"监测对象识别批次 {county_run.pk}（山西省示范市示范县" in _text(response)
    assert re.search(r'<option value="monitoring" selected>', page)  # the run's kind, not the first choice
    picked = _text(client.get("/assessments/flagged/", {"kind": "monitoring", "run": township_run.pk}))
    assert f"监测对象识别批次 {township_run.pk}（山西省示范市示范县东乡镇" in picked
    assert "fupin assess" not in page


def test_before_any_run_the_list_offers_a_button_or_says_whom_to_ask(client, users):
    client.force_login(users["township_a"])
    page = _text(client.get("/assessments/flagged/", {"kind": "data_check"}))
    assert "还没有“数据质量核查”的评估结果" in page and "发起评估" in page and "fupin assess" not in page
    client.force_login(users["village_a1"])
    page = _text(client.get("/assessments/flagged/", {"kind": "data_check"}))
    assert "请联系他们" in page and "发起评估" not in page.replace("评估发现", "")


# ── summaries say what they count ───────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def data_checked(make_household, users):
    """Three households, one with a suspected problem (risk 因病 and no out-of-pocket spending), two with another
    risk (a household without any risk type cannot be judged by these rules), then a county data check: 1 with a
    suspected problem, 2 without."""
    suspect = make_household(VILLAGE_A1, members=[member("病", "01")], risk_type="01")
    income(suspect, 2023, wage="9000")
    for village in (VILLAGE_A2, VILLAGE_B1):
        income(make_household(village, members=[member("好", "01")], risk_type="0201"), 2023, wage="9000")
    return assess("data_check", user=users["county"], pack_id="national-2023", as_of=AS_OF)


def test_a_data_check_summary_counts_under_the_words_of_its_explanations(data_checked):
    lines = {line.outcome: (line.label, line.count) for line in run_summary(data_checked)}
    assert lines == {True: ("发现数据疑点", 1), False: ("未发现数据疑点", 2), None: ("无法判断（缺少数据）", 0)}
    for stored in HouseholdDecision.objects.filter(run=data_checked).select_related("household", "run"):
        explanation = explain(stored_decision(stored))
        assert explanation.summary == f"结论：{lines[stored.outcome][0]}"  # the figure's words, household by household
        assert "不符合" not in explanation.summary


def test_outcome_words_of_every_kind_differ_for_true_and_false():
    from fupin.policy.models import Kind

    for kind in Kind:
        assert outcome_words(kind, True) != outcome_words(kind, False)
    assert outcome_words("data_check", False) == "未发现数据疑点"


def test_the_run_page_and_the_command_show_the_same_words(client, users, data_checked):
    client.force_login(users["county"])
    page = _text(client.get(f"/assessments/runs/{data_checked.pk}/"))
    assert "发现数据疑点 1 1" in page and "未发现数据疑点 2 2" in page and "不符合" not in page
    out = StringIO()
    call_command("assess", "--kind", "data_check", "--policy", "national-2023", "--as-of", "2024-06-01", stdout=out)
    assert "未发现数据疑点" in out.getvalue() and "不符合" not in out.getvalue()


def test_codes_are_shown_as_labels_in_the_household_panel(client, users, data_checked):
    client.force_login(users["county"])
    suspect = HouseholdDecision.objects.get(run=data_checked, outcome=True).household
    page = _text(client.get(f"/households/{suspect.pk}/"))
    assert "主要风险 因病" in page and "主要风险 01" not in page and "ordinary" not in page
    assert "risk_type" not in page and "发现疑点" in page


# ── what-if: the parameter list and the households a change moves ─────────────────────────────────────────────


@pytest.fixture
def incomes(make_household):
    """Never-poor households with 2023 per-capita incomes: 5000 (东一村) and 6600 (2 persons, 东二村) in 东乡镇, 7100
    (3 persons) and 7100.01 in 西一村 (西乡镇). Under the 6000 line only 5000 is in the monitoring range."""
    found = {}
    for key, village, per_capita, persons in (
        ("5000", VILLAGE_A1, "5000", 1),
        ("6600", VILLAGE_A2, "6600", 2),
        ("7100", VILLAGE_B1, "7100", 3),
        ("7100.01", VILLAGE_B1, "7100.01", 1),
    ):
        household = make_household(
            village,
            members=[member(f"何{i}", "01" if i == 0 else "03") for i in range(persons)],
            phone=f"1356666{len(found):04d}",
        )
        income(household, 2023, wage=str(Decimal(per_capita) * persons))
        found[key] = household
    return found


def _moved(user, line, direction, township=""):
    question = compared("monitoring", user=user, before="national-2023", values={"monitoring_line": line}, as_of=AS_OF)
    return moved_households(question, direction, township)


def test_the_drill_down_lists_the_households_the_count_counts(users, incomes):
    county = users["county"]
    raised = _moved(county, 7100, "added")
    assert raised == sorted([incomes["6600"].pk, incomes["7100"].pk], key=lambda pk: _number(incomes, pk))
    assert _moved(county, 7100, "removed") == []
    assert _moved(county, 7100, "added", TOWNSHIP_A[:9]) == [incomes["6600"].pk]  # 东乡镇's one
    assert _moved(county, 4999.99, "removed") == [incomes["5000"].pk]
    assert _moved(county, 5000, "removed") == []  # 5000 is inside a 5000 line: nothing moves
    assert _moved(users["township_a"], 7100, "added") == [incomes["6600"].pk]  # scoped to 东乡镇


def _number(incomes, pk):
    return next(h.number for h in incomes.values() if h.pk == pk)


def test_whatif_page_offers_the_packs_parameters_with_their_values_and_links_the_counts(client, users, incomes):
    client.force_login(users["county"])
    form = _text(client.get("/assessments/whatif/", {"kind": "monitoring", "against": "national-2023"}))
    assert "监测线（现为 6000）" in form and "monitoring_line" not in form
    query = {"kind": "monitoring", "against": "national-2023", "parameter": "monitoring_line", "value": "7100"}
    response = client.get("/assessments/whatif/", {**query, "as_of": "2024-06-01"})
    assert "把2023年监测线从6000提高到7100，新增2户5人" in _text(response)
    links = re.findall(
        r'href="(/assessments/whatif/households/\?[^"]+direction=added[^"]*)"', response.content.decode()
    )
    assert len(links) == 3  # 东乡镇, 西乡镇 and the total
    total = client.get(links[-1].replace("&amp;", "&"))
    text = _text(total)
    assert "共 2 户" in text and incomes["6600"].number in text and incomes["7100"].number in text
    assert incomes["5000"].number not in text and "13566660001" not in text  # the phone is masked


def test_whatif_refuses_a_value_of_the_wrong_type(client, users, incomes):
    client.force_login(users["county"])
    query = {"kind": "monitoring", "against": "national-2023", "parameter": "monitoring_line", "value": "很多"}
    page = _text(client.get("/assessments/whatif/", query))
    assert "“很多”应为数值" in page and "whatif-sentence" not in page


def test_the_drill_down_of_another_area_lists_nothing(client, users, incomes):
    client.force_login(users["village_b1"])
    page = _text(
        client.get(
            "/assessments/whatif/households/",
            {
                "kind": "monitoring",
                "against": "national-2023",
                "parameter": "monitoring_line",
                "value": "7100",
                "as_of": "2024-06-01",
                "direction": "added",
                "township": TOWNSHIP_A[:9],
            },
        )
    )
    assert "共 0 户" in page and incomes["6600"].number not in page


def test_status_codes_never_reach_the_flagged_page(client, users, county_then_township):
    client.force_login(users["county"])
    page = _text(client.get("/assessments/flagged/", {"kind": "monitoring"}))
    assert str(codes.Status.ORDINARY.label) in page and " ordinary " not in page
