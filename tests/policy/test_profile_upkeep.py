"""The assessment profile stays the registry's mirror on every write path (services, the importer's bulk updates,
bulk loads), moves forward with the assessment year, and a run that fails leaves nothing behind. The run split
between two connections is checked against one connection on a real SQLite file and on PostgreSQL, in separate
processes, as `fupin assess` runs it."""

import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import date

import pytest
from django.db import connection

from fupin.policy import compute
from fupin.policy.models import AssessmentRun, HouseholdDecision, HouseholdProfile, ProfileState, decision_key
from fupin.policy.services import parallel
from fupin.policy.services.batch import assess
from fupin.policy.services.household import assess_household
from fupin.registry import codes
from fupin.registry.models import Household, Member
from tests.factories import VILLAGE_A1, make_id
from tests.policy.registry_data import EK, events, income, member
from tests.support import csv_text, postgres_server

pytestmark = pytest.mark.django_db

SCREENING_DAY = date(2026, 3, 1)  # 2025 incomes, national-2025: monitoring line 6000


def profile(household) -> HouseholdProfile:
    return HouseholdProfile.objects.get(pk=household.pk)


def test_every_household_has_a_profile_row_and_a_bare_household_reads_as_ordinary(make_household, users):
    assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)  # builds the profile for 2025
    bare = Household.objects.create(number="BARE1", village_id=VILLAGE_A1, head_name="无人")
    assert profile(bare).status == codes.Status.ORDINARY and profile(bare).members == 0
    assert set(HouseholdProfile.objects.values_list("pk", flat=True)) == set(
        Household.objects.values_list("pk", flat=True)
    )
    run = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    decision = HouseholdDecision.objects.get(pk=decision_key(run.pk, bare.pk))
    assert decision.status == codes.Status.ORDINARY and decision.members == 0 and decision.income_per_capita is None


def test_household_field_edits_reach_the_profile(make_household, users):
    household = make_household(VILLAGE_A1, members=[member("钱一", "01")])
    assess("data_check", pack_id="national-2025", as_of=SCREENING_DAY)
    assert profile(household).risk_type == "" and profile(household).first_poor_on is None
    household.risk_type = codes.RiskType.values[0]
    household.first_identified_on = date(2016, 4, 1)
    household.save()
    assert profile(household).risk_type == codes.RiskType.values[0]
    assert profile(household).first_poor_on == date(2016, 4, 1)  # no identification event: the household's date
    events(users["county"], household, (EK.IDENTIFIED, date(2015, 3, 1)))
    assert profile(household).first_poor_on == date(2015, 3, 1)  # the earlier of the two


def test_income_saved_after_the_profile_was_built_is_read(make_household, users):
    household = make_household(VILLAGE_A1, members=[member("孙二", "01")])
    assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert profile(household).per_capita_income is None
    account = income(household, 2025, wage="5999.99")
    assert profile(household).per_capita_income == 5999.99
    account.delete()
    assert profile(household).per_capita_income is None


def test_an_import_updating_members_in_place_refreshes_their_profile(
    make_household, users, run_import, tmp_path, settings
):
    settings.EXCHANGE_DIR = tmp_path / "exchange"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ident = make_id("19700101")
    household = make_household(
        VILLAGE_A1,
        number="IM1",
        head_name="周三",
        members=[{"name": "周三", "relation": "01", "id_number": ident, "dibao": False}],
    )
    assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert profile(household).dibao_members == 0
    text = csv_text(
        ("户编号", "行政区划代码", "姓名", "证件号码", "与户主关系", "享受低保"),
        ("IM1", VILLAGE_A1, "周三", ident, "户主", "是"),
    )
    job = run_import(users["county"], text)
    assert job.counts["members"] == {"new": 0, "updated": 1, "unchanged": 0}, job.message
    assert Member.objects.get(id_number=ident).dibao is True
    assert profile(household).dibao_members == 1  # an UPDATE sends no model signal: the importer says so


def _decisions(run):
    rows = HouseholdDecision.objects.filter(run=run).order_by("household_id")
    return rows.values_list("household_id", "outcome", "category", "results")


def _profile_rows():
    return list(HouseholdProfile.objects.order_by("pk").values())


@pytest.mark.parametrize("share", [0.0, 1.0], ids=["whole-profile", "by-id-batches"])
def test_a_history_import_leaves_the_profile_a_fresh_rebuild_gives(
    make_household, users, run_import, tmp_path, settings, monkeypatch, share
):
    """A history import moving most households refreshes the whole profile at once (share 0: always; share 1:
    never, the id batches): either way the rows, and the assessment after, equal a rebuild from scratch."""
    settings.EXCHANGE_DIR = tmp_path / "exchange"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    homes = [make_household(VILLAGE_A1, number=f"HP{i}", members=[member(f"何{i}", "01")]) for i in range(4)]
    assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert {profile(h).status for h in homes} == {codes.Status.ORDINARY}
    monkeypatch.setattr(compute, "WHOLE_REBUILD_SHARE", share)
    text = csv_text(
        ("户编号", "事件", "日期", "原因", "审批单位", "监测类别", "风险类型", "消除方式"),
        ("HP0", "识别为贫困户", "2014-03-05", "", "", "", "", ""),
        ("HP0", "脱贫退出", "2016-05-01", "", "", "", "", ""),
        ("HP1", "识别为贫困户", "2014", "", "", "", "", ""),
        ("HP2", "纳入监测", "2020-06-01", "", "", "1", "", ""),
    )
    job = run_import(users["county"], text)
    assert job.counts["status_events"] == {"new": 4, "updated": 0, "unchanged": 0}, job.message
    # worked by hand: HP0 exited, HP1 poor, HP2 monitored, HP3 untouched
    assert [profile(h).status for h in homes] == [
        codes.Status.EXITED,
        codes.Status.POOR,
        codes.Status.MONITORED,
        codes.Status.ORDINARY,
    ]
    assert profile(homes[0]).identified_on == date(2014, 3, 5) and profile(homes[2]).monitored_category == "1"
    after_import = _profile_rows()
    run = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert _profile_rows() == after_import
    decisions = list(_decisions(run))
    HouseholdProfile.objects.all().delete()
    ProfileState.objects.all().delete()
    fresh = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert _profile_rows() == after_import
    assert list(_decisions(fresh)) == decisions and len(decisions) == 4


def test_rows_added_by_a_bulk_load_are_found_by_the_watermarks(make_household, users):
    household = make_household(VILLAGE_A1, members=[member("吴四", "01")])
    assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    with connection.cursor() as cursor:  # as `fupin demo` writes: no model save, no signal
        cursor.execute(
            "INSERT INTO registry_incomeaccount (household_id, year, persons, wage_income, business_income, "
            "property_income, pension_income, family_planning_income, eco_compensation_income, dibao_income, "
            "tekun_income, other_transfer_income, business_expense, compliant_out_of_pocket, insurance_claims, "
            "recorded_at) VALUES (%s, 2025, 1, 1234.50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, %s)",
            [household.pk, "2026-01-01 00:00:00"],
        )
    assert profile(household).per_capita_income is None
    assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert profile(household).per_capita_income == 1234.5


def test_the_profile_moves_forward_with_the_year_and_an_earlier_year_reads_the_income_tables(make_household, users):
    household = make_household(VILLAGE_A1, members=[member("郑五", "01")])
    income(household, 2023, wage="7000")
    income(household, 2024, wage="6500")
    income(household, 2025, wage="5000")
    run = assess("monitoring", pack_id="national-2024", as_of=date(2025, 3, 1))
    assert ProfileState.objects.get().year == 2024 and profile(household).per_capita_income == 6500.0
    run = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert ProfileState.objects.get().year == 2025 and profile(household).per_capita_income == 5000.0
    assert profile(household).per_capita_income_prev == 6500.0
    earlier = assess("monitoring", pack_id="national-2024", as_of=date(2025, 3, 1))
    assert ProfileState.objects.get().year == 2025  # not moved back
    stored = HouseholdDecision.objects.get(pk=decision_key(earlier.pk, household.pk))
    assert stored.income_per_capita == 6500.0 and stored.income_change_ratio == pytest.approx(-500 / 7000)
    live = assess_household(None, household.pk, "monitoring", pack_id="national-2024", as_of=date(2025, 3, 1))
    assert (live.outcome, live.category, live.results) == (stored.outcome, stored.category, stored.results)
    assert run.households == earlier.households


def test_a_failing_run_leaves_no_run_and_no_decision(make_household, users, monkeypatch):
    make_household(VILLAGE_A1, members=[member("冯六", "01")])

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(parallel, "insert_decisions", fail)
    with pytest.raises(RuntimeError):
        assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    assert not AssessmentRun.objects.exists() and not HouseholdDecision.objects.exists()


def test_deleting_a_run_deletes_its_decisions_and_keeps_the_others(make_household, users):
    make_household(VILLAGE_A1, members=[member("陈七", "01")])
    first = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    second = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    first.delete()
    assert not HouseholdDecision.objects.filter(run_id=first.pk).exists()
    assert HouseholdDecision.objects.filter(run_id=second.pk).count() == second.households == 1


def test_decision_keys_refuse_a_household_id_beyond_32_bits():
    assert decision_key(3, 5) == 3 * 2**32 + 5
    with pytest.raises(ValueError):
        decision_key(3, 2**32)


# ── two connections against one, in real processes ──────────────────────────────────────────────────────────────

FUPIN = [sys.executable, "-m", "fupin"]
READ_DECISIONS = (
    "SELECT household_id, outcome, category, results, persons, income_per_capita, "
    "income_change_ratio, net_income_last_year, out_of_pocket, members, status, ever_poor "
    "FROM policy_householddecision WHERE run_id = (SELECT MAX(id) FROM policy_assessmentrun) "
    "ORDER BY household_id"
)


def _assess(env, parallel_min: int, tmp_path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    subprocess.run(
        [*FUPIN, "assess", "--kind", "monitoring", "--policy", "national-2025", "--as-of", "2026-03-01"],
        env={**env, "FUPIN_ASSESS_PARALLEL_MIN": str(parallel_min), "TMPDIR": str(scratch)},
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    assert not list(scratch.iterdir()), "the scratch database of the second connection is left behind"


def _loaded(env, tmp_path) -> None:
    subprocess.run([*FUPIN, "migrate", "-v0"], env=env, check=True, cwd=tmp_path)
    subprocess.run(
        [*FUPIN, "demo", "--persons", "2000", "--as-of", "2026-03-01"],
        env=env,
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )


@pytest.mark.slow
def test_two_connections_write_what_one_writes_on_a_sqlite_file(tmp_path):
    db = tmp_path / "fupin.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "FUPIN_DATA_DIR": str(tmp_path)}
    _loaded(env, tmp_path)
    _assess(env, 10**9, tmp_path)
    with sqlite3.connect(db) as con:
        alone = con.execute(READ_DECISIONS).fetchall()
    _assess(env, 0, tmp_path)
    with sqlite3.connect(db) as con:
        split = con.execute(READ_DECISIONS).fetchall()
        unfinished = con.execute("SELECT COUNT(*) FROM policy_assessmentrun WHERE finished_at IS NULL").fetchone()[0]
        counted = con.execute("SELECT households FROM policy_assessmentrun ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert len(alone) > 500 and split == alone and counted == len(split) and unfinished == 0


@pytest.mark.slow
def test_two_connections_write_what_one_writes_on_postgresql(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    server = postgres_server()
    name = f"fupin_split_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is part of the test setup: {error}")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"{server.replace('postgresql', 'postgres')}/{name}",
            "FUPIN_DATA_DIR": str(tmp_path),
        }
        _loaded(env, tmp_path)
        _assess(env, 10**9, tmp_path)
        with psycopg.connect(f"{server}/{name}") as con:
            alone = con.execute(READ_DECISIONS).fetchall()
        _assess(env, 0, tmp_path)
        with psycopg.connect(f"{server}/{name}") as con:
            split = con.execute(READ_DECISIONS).fetchall()
            counted = con.execute("SELECT households FROM policy_assessmentrun ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert len(alone) > 500 and split == alone and counted == len(split)
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_run_judged_by_two_connections_is_complete_and_deleting_it_leaves_nothing(make_household, users, settings):
    """On PostgreSQL (in-process: nothing is open around the run) two connections write the run into a table of
    its own, attached as a partition; on the in-memory SQLite of the tests one connection writes it."""
    homes = [make_household(VILLAGE_A1, members=[member(f"户主{i}", "01")]) for i in range(6)]
    income(homes[0], 2025, wage="5999")
    settings.POLICY_PARALLEL_MIN_HOUSEHOLDS = 0
    run = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
    keys = {decision_key(run.pk, home.pk) for home in homes}
    assert set(HouseholdDecision.objects.filter(run=run).values_list("pk", flat=True)) == keys
    assert run.households == 6 and run.finished_at is not None
    own_table = f"policy_householddecision_r{run.pk}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT relispartition FROM pg_class WHERE relname = %s", [own_table])
            assert cursor.fetchone() == (True,)
    run.delete()
    assert not HouseholdDecision.objects.filter(pk__in=keys).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [own_table])
            assert cursor.fetchone() == (None,)


def test_outcome_and_category_computed_inline_equal_the_table_of_combinations(make_household, users, monkeypatch):
    """Kinds with more than nine rules compute outcome and category in the statement itself: forced here for the
    monitoring rules, over households in each category, unknown and not flagged."""
    from fupin.policy import evaluation

    homes = [make_household(VILLAGE_A1, members=[member(f"户{i}", "01")]) for i in range(4)]
    events(users["county"], homes[0], (EK.IDENTIFIED, date(2015, 3, 1)), (EK.EXITED, date(2020, 12, 1)))
    income(homes[0], 2025, wage="5000")  # unstable (1)
    income(homes[1], 2025, wage="5000")  # marginal (2)
    income(homes[2], 2025, wage="9000", out_of_pocket="30000")  # sudden (3)
    # homes[3]: no income account, so unknown
    runs = []
    for limit in (evaluation.MAX_COMBINED, 0):
        monkeypatch.setattr(evaluation, "MAX_COMBINED", limit)
        run = assess("monitoring", pack_id="national-2025", as_of=SCREENING_DAY)
        runs.append(
            [
                HouseholdDecision.objects.values_list("outcome", "category", "results").get(
                    pk=decision_key(run.pk, home.pk)
                )
                for home in homes
            ]
        )
    assert runs[0] == runs[1]
    assert [category for _outcome, category, _results in runs[0]][:3] == ["1", "2", "3"]
    assert runs[0][3][0] is None
