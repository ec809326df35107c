"""Bulk loading writes exactly what the ORM would: edge values round-trip on SQLite and PostgreSQL alike."""

from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from fupin.registry import bulkload
from fupin.registry.models import INCOME_COMPONENTS, Household, IncomeAccount, StatusEvent
from tests.factories import VILLAGE_A1

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def test_rows_round_trip_with_nulls_unicode_and_money(areas):
    loader = bulkload.loader_for(connection, ["registry.Household", "registry.IncomeAccount", "registry.StatusEvent"])
    names = np.array(["张大山", "Zoë", "😀 emoji", "O'Brien \\ tab\t"])
    households = {
        "id": np.array([101, 102, 103, 104]),
        "number": np.array(["A1", "A2", "A3", "A4"]),
        "village_id": VILLAGE_A1,
        "group_name": "一组",
        "head_name": names,
        "phone": np.array(["", "13912345678", "", ""]),
        "bank_account": "",
        "address": np.array(["", "村", "", "x" * 120]),
        "household_type": "1",
        "status": "ordinary",
        "monitoring_category": "",
        "poverty_cause": "",
        "risk_type": "",
        "first_identified_on": np.array(["2014-10-05", "NaT", "NaT", "1999-12-31"], dtype="M8[D]"),
        "risk_identified_on": np.full(4, np.datetime64("NaT"), "M8[D]"),
        "risk_level": np.array([np.nan, 1, 5, np.nan]),
        "risk_eliminated": np.array([False, True, False, False]),
        "risk_eliminated_on": np.full(4, np.datetime64("NaT"), "M8[D]"),
        "risk_elimination_way": "",
        "relocated": False,
        "no_labour_household": np.array([True, False, False, True]),
        "created_at": NOW,
        "updated_at": NOW,
    }
    cents = np.array([0, 1, -250_001, 99_999_999_999])  # 0.00, 0.01, −2500.01, 999,999,999.99
    incomes = {
        "id": np.array([7, 8, 9, 10]),
        "household_id": np.array([101, 102, 103, 104]),
        "year": 2024,
        "persons": np.array([1, 2, 3, 4]),
        "business_income": cents,
        "recorded_at": NOW,
    }
    for name in (*INCOME_COMPONENTS, "business_expense", "compliant_out_of_pocket", "insurance_claims"):
        incomes.setdefault(name, 0)
    events = {
        "id": np.array([5]),
        "household_id": np.array([101]),
        "kind": "identified",
        "date": np.array(["2014-10-05"], dtype="M8[D]"),
        "reason": "两公示一公告",
        "approver": "",
        "monitoring_category": "",
        "risk_type": "0201",
        "elimination_way": "",
        "approximate": True,
        "recorded_by_id": None,
        "recorded_at": NOW,
    }

    with loader.session():
        assert loader.write_rows("registry.Household", households) == 4
        loader.write_rows("registry.IncomeAccount", incomes)
        loader.write_rows("registry.StatusEvent", events)
        loader.finish(["registry.Household", "registry.IncomeAccount", "registry.StatusEvent"])

    stored = list(Household.objects.order_by("id"))
    assert [h.head_name for h in stored] == names.tolist()
    assert [h.first_identified_on for h in stored] == [date(2014, 10, 5), None, None, date(1999, 12, 31)]
    assert [h.risk_level for h in stored] == [None, 1, 5, None]
    assert [h.no_labour_household for h in stored] == [True, False, False, True]
    assert stored[3].address == "x" * 120 and stored[1].phone == "13912345678"
    assert all(h.created_at == NOW for h in stored)
    accounts = list(IncomeAccount.objects.order_by("id"))
    assert [a.business_income for a in accounts] == [Decimal(v) for v in ("0", "0.01", "-2500.01", "999999999.99")]
    # ÷ persons 1, 2, 3, 4, rounded half away from zero by the database
    assert [a.per_capita_net_income for a in accounts] == [Decimal(v) for v in ("0", "0.01", "-833.34", "250000000.00")]
    event = StatusEvent.objects.get()
    assert (event.kind, event.date, event.recorded_by_id) == ("identified", date(2014, 10, 5), None)
    assert event.reason == "两公示一公告"
    # after explicit ids the ORM still gets fresh ones
    assert StatusEvent.objects.create(household_id=101, kind="exited", date=date(2016, 11, 1)).id > 5
