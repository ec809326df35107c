"""The importer and the services give the same verdict on the same records: generated values, valid and invalid
(phones, household numbers, dates around the boundaries, NULs and other invisible characters, lengths, months),
go through the registry services one record at a time and through one dry-run import of all of them; each record
is refused for the same fields with the same Chinese reasons, or accepted by both."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fupin.core.errors import DomainError
from fupin.exchange.columns import HOUSEHOLDS, MEMBERS
from fupin.exchange.models import ImportJob
from fupin.registry import codes, services, values
from tests.factories import VILLAGE_A1, make_id, next_number

pytestmark = pytest.mark.django_db

EXAMPLES = hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
#: what a cell may hold; no line breaks (a CSV cell with one is its own problem) and no '*' (a masked export value)
CHARS = st.sampled_from(
    [
        *"0123456789013X-xAaK.+E '",
        "\x00",
        "\t",
        "\x07",
        "\x1f",
        "\x7f",
        "\x85",
        "\u200b",
        "\u2028",
        "\ufeff",
        "\u3000",
        "张",
        "村",
        "组",
        "\u0301",
        "😀",
    ]
)
EDGE_BLANKS = " \t\n\r\u3000\xa0"  # what the importer trims off a cell (a form field strips them too)


def plain(text: str) -> bool:
    """A value both paths read as given: nothing the importer trims, no formula guard (a leading ') to undo."""
    return text == text.strip(EDGE_BLANKS) and not text.startswith("'")


def near_miss(pattern: str):
    """Values of the pattern and one character away from it (one inserted or dropped)."""
    exact = st.from_regex(pattern, fullmatch=True)
    edited = st.tuples(exact, st.integers(0, 30), CHARS).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])
    dropped = st.tuples(exact, st.integers(0, 30)).map(lambda t: t[0][: t[1]] + t[0][t[1] + 1 :])
    return (exact | edited | dropped).filter(plain)


def text(max_length: int, *, blank=True):
    lengths = st.text(st.sampled_from("张村A1-😀"), min_size=max_length - 1, max_size=max_length + 1)
    drawn = st.one_of(st.text(CHARS, min_size=0 if blank else 1, max_size=12), lengths, st.just("张三")).filter(plain)
    return drawn if blank else drawn.filter(bool)


def days(low: date):
    today = timezone.localdate()
    edges = [low - timedelta(1), low, today, today + timedelta(1), date(1, 1, 1), date(9999, 12, 31)]
    return st.none() | st.sampled_from(edges) | st.dates(date(1990, 1, 1), date(2040, 12, 31))


PHONES = st.just("") | near_miss(values.PHONE) | st.sampled_from(["12ab", "1.39123E+10", "13912345678", "010-12345678"])
NUMBERS = (near_miss(values.DEFAULT_NUMBER_PATTERN) | st.sampled_from(["1", "X", "K0000001", "1" * 25])).filter(bool)
HOUSEHOLD = st.fixed_dictionaries(
    {
        "number": NUMBERS,
        "head_name": text(40, blank=False),
        "phone": PHONES,
        "group_name": text(30),
        "first_identified_on": days(date(2013, 1, 1)),
        "risk_identified_on": days(date(2013, 1, 1)),
        "risk_level": st.none() | st.integers(-1, 7),
    }
)
MEMBER = st.fixed_dictionaries(
    {
        "name": text(40, blank=False),
        "phone": PHONES,
        "work_place": text(60),
        "work_months": st.none() | st.integers(-1, 14),
        "disability_cert": st.just("") | near_miss(values.DISABILITY_CERT),
    }
)


class Undo(Exception):
    """Raised to roll back a service call that went through: each record is judged against the same registry."""


def service_verdict(call) -> dict[str, str]:
    """Field → reason of the service's refusal ({} if it accepted the record; the write is rolled back)."""
    try:
        with transaction.atomic():
            call()
            raise Undo
    except Undo:
        return {}
    except DomainError as error:
        if isinstance(error.details, dict):
            return {field: reasons[0] for field, reasons in error.details.items()}
        return {error.field: error.message.partition("：")[2]}


def import_job(run_import, user, sheet, rows: list[dict]) -> ImportJob:
    """One dry-run import of all rows as a CSV."""
    names = list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([sheet.column(name).header for name in names])
    for row in rows:
        writer.writerow(
            ["" if row[n] is None else (row[n].isoformat() if isinstance(row[n], date) else row[n]) for n in names]
        )
    job = run_import(user, out.getvalue(), "核对.csv", dry_run=True)
    assert job.status in (ImportJob.Status.CHECKED, ImportJob.Status.INVALID), job.message
    return job


def verdicts(job: ImportJob, sheet, count: int) -> list[dict[str, str]]:
    """Per row of the file (the header is row 1): field → reason."""
    by_header = {c.header: c.name for c in sheet.all_columns}
    found = [{} for _ in range(count)]
    for error in job.errors:
        found[error["row"] - 2][by_header[error["column"]]] = error["reason"]
    return found


#: the openings of the history rules' reasons (exchange/importer/history.py)
HISTORY_REASONS = ("纳入监测须填写监测对象类别", "该户此前没有状态变更", "此前的状态为", "整户无劳动能力", "插入后")


def import_verdicts(run_import, user, sheet, rows: list[dict]) -> list[dict[str, str]]:
    return verdicts(import_job(run_import, user, sheet, rows), sheet, len(rows))


@EXAMPLES
@given(rows=st.lists(HOUSEHOLD, min_size=1, max_size=12, unique_by=lambda r: r["number"]))
@pytest.mark.slow
def test_households_and_their_event_dates(users, run_import, make_household, rows):
    admin = users["county"]
    imported = import_verdicts(run_import, admin, HOUSEHOLDS, [{"village": VILLAGE_A1, **row} for row in rows])
    # the dates also become status events, held to the transition rules (tests/exchange/test_history.py): the
    # field rules are what the service and the importer share
    imported = [{f: r for f, r in verdict.items() if not r.startswith(HISTORY_REASONS)} for verdict in imported]
    plain_household = make_household(number=f"EV{next_number():06d}")
    for row, by_import in zip(rows, imported):
        data = {"village": VILLAGE_A1, **{k: v for k, v in row.items() if v is not None}}
        assert service_verdict(lambda: services.create_household(admin, data, via="test")) == by_import, row
        # a status event's date is held to the rule of the identification date the file carries
        on = row["first_identified_on"]
        if on is not None:
            event = service_verdict(
                lambda: services.record_event(admin, plain_household, codes.EventKind.IDENTIFIED, on, via="test")
            )
            assert event.get("date") == by_import.get("first_identified_on"), on


@EXAMPLES
@given(rows=st.lists(MEMBER, min_size=1, max_size=12))
@pytest.mark.slow
def test_members(users, run_import, make_household, rows):
    admin = users["county"]
    household = make_household(number=f"M{next_number():07d}", members=[])
    for row in rows:
        row.update(id_number=make_id(), relation=codes.Relation.CHILD)
    imported = import_verdicts(run_import, admin, MEMBERS, [{"number": household.number, **row} for row in rows])
    for row, by_import in zip(rows, imported):
        data = {k: v for k, v in row.items() if v is not None}
        assert service_verdict(lambda: services.add_member(admin, household, data, via="test")) == by_import, row


def test_a_file_of_the_worked_out_boundaries(users, run_import):
    """The hand-made cases of the brief, through the importer: the same reasons the services give."""
    today = timezone.localdate()
    rows = [
        {"number": "1", "head_name": "张三", "phone": "13912345678", "first_identified_on": date(2013, 1, 1)},
        {
            "number": "K0000001",
            "head_name": "张\x00三",
            "phone": "12912345678",
            "first_identified_on": date(2012, 12, 31),
        },
        {"number": "K0000002", "head_name": "李四", "phone": "1391234567", "first_identified_on": today},
        {
            "number": "K0000003",
            "head_name": "王五",
            "phone": "010-12345678",
            "first_identified_on": today + timedelta(1),
        },
        {"number": "K0000004", "head_name": "赵六", "phone": "12ab", "first_identified_on": date(9999, 12, 31)},
    ]
    job = import_job(run_import, users["county"], HOUSEHOLDS, [{"village": VILLAGE_A1, **row} for row in rows])
    found = verdicts(job, HOUSEHOLDS, len(rows))
    # the NUL is shown as its picture: the page can show it and PostgreSQL's JSON column can hold it
    assert next(e["value"] for e in job.errors if e["column"] == "户主姓名") == "张\u2400三"
    assert found == [
        {"number": values.DEFAULT_NUMBER_HINT},
        {"head_name": values.CONTROL_REASON, "phone": values.PHONE_REASON, "first_identified_on": "不能早于2013-01-01"},
        {"phone": values.PHONE_REASON},
        {"first_identified_on": "不能晚于今天"},
        {"phone": values.PHONE_REASON, "first_identified_on": "不能晚于今天"},
    ]
