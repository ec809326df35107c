"""The assessment surfaces — API, pages, commands — are thin and scoped: a village user cannot assess, explain or
list another village's household (404 / absent), masked values never appear, errors keep the one shape."""

import re
import textwrap
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fupin.policy.packs import PackLibrary, default_library
from fupin.policy.services import scope as assessment_scope
from fupin.policy.services.batch import assess
from fupin.policy.services.household import latest_decisions
from fupin.registry import codes
from tests.factories import VILLAGE_A1, VILLAGE_B1
from tests.policy.registry_data import conditions, income, member
from tests.support import assert_error

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 1)


@pytest.fixture
def homes(make_household, users):
    """A never-poor household in range in 东一村 (a1) and in 西一村 (b1), both flagged by a county monitoring run."""
    found = {}
    for key, village in (("a1", VILLAGE_A1), ("b1", VILLAGE_B1)):
        household = make_household(village, members=[member("甲", "01", health=codes.Health.SERIOUS)])
        income(household, 2023, wage="5000")
        conditions(household, 2023)
        found[key] = household
    assess("monitoring", user=users["county"], pack_id="national-2023", as_of=AS_OF)
    return found


# ── API ──────────────────────────────────────────────────────────────────────────────────────────────────────────


def test_api_assesses_one_household_live_with_its_explanation(api_as, homes):
    response = api_as("village_a1").get(
        f"/households/{homes['a1'].pk}/assessment", kind="monitoring", policy="national-2023", as_of="2024-06-01"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] is True and body["category"] == "2" and body["category_label"] == "边缘易致贫户"
    assert body["pack_id"] == "national-2023" and body["year"] == 2023 and body["run_id"] is None
    assert body["agrees"] is True
    income_rule = next(rule for rule in body["rules"] if rule["id"] == "marginal_income_in_range")
    assert income_rule["result"] is True and income_rule["explanation"].startswith(
        "人均纯收入 5000 元，监测范围上限 6000 元"
    )
    assert ["monitoring_line", "6000", False] in income_rule["thresholds"]


def test_api_post_records_a_one_household_run(api_as, homes):
    response = api_as("village_a1").post(
        f"/households/{homes['a1'].pk}/assessment?kind=monitoring&policy=national-2023&as_of=2024-06-01", None
    )
    assert response.status_code == 200, response.content
    run_id = response.json()["run_id"]
    runs = api_as("village_a1").get("/assessments/runs", single="true").json()["items"]
    assert [run["id"] for run in runs] == [run_id] and runs[0]["single"] is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_api_assessment_outside_the_area_is_not_found(api_as, homes, method):
    caller = api_as("village_a1")
    path = f"/households/{homes['b1'].pk}/assessment?kind=monitoring&policy=national-2023"
    response = caller.get(path) if method == "get" else caller.post(path, None)
    assert_error(response, 404, "not_found")


def test_api_refuses_bad_input_in_the_one_error_shape(api_as, homes):
    caller = api_as("county")
    assert_error(caller.get(f"/households/{homes['a1'].pk}/assessment", kind="nonsense"), 422, "validation_error")
    assert_error(caller.get(f"/households/{homes['a1'].pk}/assessment", policy="national-1999"), 404, "pack_not_found")
    assert_error(
        caller.get(f"/households/{homes['a1'].pk}/assessment", kind="exit", policy="national-2023"), 400, "no_rules"
    )
    assert_error(caller.get(f"/households/{homes['a1'].pk}/assessment", kind="village_exit"), 400, "invalid_assessment")
    assert_error(api_as(None).get(f"/households/{homes['a1'].pk}/assessment"), 401, "not_authenticated")


def test_api_never_shows_health_derived_values(api_as, homes, tmp_path, monkeypatch):
    """A county rule on 大病人数 (derived from health status, which is masked for every role): judged, not shown."""
    for path in default_library().directory.glob("national-*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "ill-2023.yaml").write_text(
        textwrap.dedent("""\
        id: ill-2023
        region: "149901"
        year: 2023
        inherits: national-2023
        rules:
          - id: check_serious_illness
            title: 有大病成员
            kind: data_check
            expression: seriously_ill_members > 0
            explain: 大病 {seriously_ill_members} 人
    """),
        encoding="utf-8",
    )
    monkeypatch.setattr(assessment_scope, "load_pack", PackLibrary(tmp_path).load)
    body = api_as("county").get(f"/households/{homes['a1'].pk}/assessment", kind="data_check", policy="ill-2023").json()
    rule = next(rule for rule in body["rules"] if rule["id"] == "check_serious_illness")
    assert rule["result"] is True and rule["explanation"] == "大病 *** 人" and rule["values"] == [["大病人数", "***"]]
    assert body["features"]["seriously_ill_members"] == {"label": "大病人数", "value": "***"}


def test_api_runs_are_scoped(api_as, homes):
    assert [run["kind"] for run in api_as("county").get("/assessments/runs").json()["items"]] == ["monitoring"]
    listed = api_as("village_a1").get("/assessments/runs").json()
    assert listed["count"] == 1  # the county's run, counted again over 东一村: the county's totals are not theirs
    run = listed["items"][0]
    assert (run["area_code"], run["counted_in"], run["households"], run["passed"]) == ("149901", VILLAGE_A1, 1, 1)


def test_api_flagged_lists_only_the_callers_households_with_the_registry_filters(api_as, homes):
    body = api_as("village_a1").get("/assessments/flagged", kind="monitoring", category="2").json()
    assert [item["id"] for item in body["items"]] == [homes["a1"].pk] and body["run"]["area_code"] == "149901"
    assert body["items"][0]["decision_category"] == "2" and body["items"][0]["phone"].count("*") == 4
    county = api_as("county")
    assert county.get("/assessments/flagged", kind="monitoring").json()["count"] == 2
    assert [i["id"] for i in county.get("/assessments/flagged", area=VILLAGE_B1).json()["items"]] == [homes["b1"].pk]
    assert county.get("/assessments/flagged", category="1").json()["count"] == 0
    assert county.get("/assessments/flagged", kind="risk_elimination").json() == {
        "run": None,
        "count": 0,
        "page": 1,
        "page_size": 50,
        "items": [],
    }


# ── pages ────────────────────────────────────────────────────────────────────────────────────────────────────────


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_household_page_shows_its_latest_decisions_and_reasons(client, users, homes):
    client.force_login(users["village_a1"])
    page = _text(client.get(f"/households/{homes['a1'].pk}/"))
    assert "评估结论" in page and "符合监测对象识别条件——边缘易致贫户" in page and "（入选理由）" in page
    assert "人均纯收入 5000 元，监测范围上限 6000 元" in page
    assert client.get(f"/households/{homes['b1'].pk}/").status_code == 404


def test_flagged_page_is_scoped_and_filtered(client, users, homes):
    client.force_login(users["village_a1"])
    page = client.get("/assessments/flagged/", {"kind": "monitoring"}).content.decode()
    assert homes["a1"].number in page and homes["b1"].number not in page
    client.force_login(users["county"])
    page = client.get("/assessments/flagged/", {"kind": "monitoring", "area": VILLAGE_B1}).content.decode()
    assert homes["b1"].number in page and homes["a1"].number not in page


def test_whatif_page_counts_only_the_users_area(client, users, homes):
    client.force_login(users["village_a1"])
    page = _text(
        client.get(
            "/assessments/whatif/",
            {
                "kind": "monitoring",
                "against": "national-2023",
                "parameter": "monitoring_line",
                "value": "4000",
                "as_of": "2024-06-01",
            },
        )
    )
    assert "把2023年监测线从6000降低到4000，新增0户0人，减少1户1人" in page
    refused = client.get(
        "/assessments/whatif/",
        {
            "kind": "monitoring",
            "against": "national-2023",
            "parameter": "monitoring_line",
            "value": "4000",
            "area": VILLAGE_B1,
        },
    )
    assert "不在可用的选项中" in _text(refused)  # another village is not the user's to choose
    assert "whatif-sentence" not in refused.content.decode()


# ── commands ─────────────────────────────────────────────────────────────────────────────────────────────────────


def test_assess_command_prints_a_summary(homes):
    out = StringIO()
    call_command("assess", "--kind", "monitoring", "--policy", "national-2023", "--as-of", "2024-06-01", stdout=out)
    text = out.getvalue()
    assert "监测对象识别" in text and "边缘易致贫户" in text and "national-2023" in text


def test_explain_command_is_scoped_by_user(homes, users):
    out = StringIO()
    call_command("explain", homes["a1"].number, "--user", "village_a1", stdout=out)
    assert "（入选理由）" in out.getvalue() and "批次" in out.getvalue()
    with pytest.raises(CommandError, match="未找到"):
        call_command("explain", homes["b1"].number, "--user", "village_a1", stdout=StringIO())


def test_whatif_command_by_township(homes):
    out = StringIO()
    call_command(
        "whatif", "--policy", "national-2023", "--set", "monitoring_line=4000", "--as-of", "2024-06-01", stdout=out
    )
    text = out.getvalue()
    assert "把2023年监测线从6000降低到4000，新增0户0人，减少2户2人" in text and "东乡镇" in text and "西乡镇" in text
    with pytest.raises(CommandError, match="名字=值"):
        call_command("whatif", "--policy", "national-2023", "--set", "oops", stdout=StringIO())
    with pytest.raises(CommandError, match="没有名为"):
        call_command("whatif", "--policy", "national-2023", "--set", "no_such_line=1", stdout=StringIO())


def test_household_page_prefers_a_later_one_household_run(api_as, users, homes):
    body = (
        api_as("village_a1")
        .post(f"/households/{homes['a1'].pk}/assessment?kind=monitoring&policy=national-2022&as_of=2023-06-01", None)
        .json()
    )
    latest = latest_decisions(users["village_a1"], homes["a1"])
    assert [(d.kind, d.run.pk, d.pack.id) for d in latest] == [("monitoring", body["run_id"], "national-2022")]
    county_run = latest_decisions(users["county"], homes["b1"])[0].run
    assert county_run.single is False and county_run.household is None


# ── an unknown kind is a refusal, not a ValueError (issue 11, one error path) ────────────────────────────────────


@pytest.mark.parametrize("call", ["flagged", "assess", "whatif"])
def test_an_unknown_assessment_kind_is_refused_with_a_chinese_message(users, call):
    from fupin.policy.services.queries import flagged
    from fupin.policy.services.whatif import whatif

    service = {"flagged": flagged, "assess": assess, "whatif": whatif}[call]
    arguments = {"flagged": (users["county"], "bogus"), "assess": ("bogus",), "whatif": ("bogus",)}[call]
    with pytest.raises(assessment_scope.InvalidAssessment) as refused:
        service(*arguments)
    assert refused.value.message.startswith("评估类型“bogus”无效：应为 ")
    assert refused.value.field == "kind" and "monitoring" in refused.value.details["allowed"]


def test_the_flagged_page_shows_the_refusal_of_an_unknown_kind(client, users):
    client.force_login(users["county"])
    page = client.get("/assessments/flagged/", {"kind": "bogus"})
    assert page.status_code == 200
    assert "评估类型“bogus”无效" in _text(page)
