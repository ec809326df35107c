"""Exports of the household list: the same filters and scoping as the list, masked, audited, streamed.

`household_rows` turns any (already scoped and filtered) queryset into header + rows of text, in a fixed number
of queries whatever the row count; `csv_chunks` encodes rows for Excel. The web export, the API and later XLSX
exports share both.

Excel and long numbers: opened from a CSV, Excel turns an 18-digit ID or a 16-digit household number into a
float and silently keeps 15 significant digits. We write such cells with a leading tab: Excel and WPS then keep
the cell as text, nothing is a formula, and our own importers read the value back unchanged because
`normalize_id_number` and `.strip()` drop whitespace. (The alternative ="..." is a formula: it is wrong in every
other CSV reader and is exactly what the formula-injection guard below refuses.)
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Count, DecimalField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.masking import shown
from fupin.accounts.models import Action

from . import codes
from .display import field_value, label
from .filters import HouseholdFilter, filtered_households
from .models import Household, IncomeAccount, Member

#: a generated column loses its type through a subquery (and SQLite does not quantize computed decimals)
MONEY = DecimalField(max_digits=14, decimal_places=2)
TEXT_PREFIX = "\t"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: typed by users, so guarded against formulas
FREE_TEXT = ("group_name", "head_name", "address")
#: written as their display text
CODED = (
    "household_type", "status", "monitoring_category", "poverty_cause", "risk_type", "first_identified_on",
    "risk_identified_on", "risk_level", "risk_eliminated", "risk_eliminated_on", "risk_elimination_way", "relocated",
    "no_labour_household",
)  # fmt: skip


def as_text(value) -> str:
    """A cell Excel must keep as text (IDs, codes, phone numbers, household numbers)."""
    return f"{TEXT_PREFIX}{value}" if value else ""


def safe(value) -> str:
    """Free text typed by users: a leading quote stops Excel from running "=HYPERLINK(...)" as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _columns():
    """(header, how to write the cell from an annotated household), in export order; built per export so the
    headers follow the active language."""
    return [
        (label(Household, "number"), lambda h: as_text(h.number)),
        (_("行政区划代码"), lambda h: as_text(h.village_id)),
        (label(Household, "village"), lambda h: h.village.name),
        *[(label(Household, name), lambda h, name=name: safe(getattr(h, name))) for name in FREE_TEXT],
        (_("户主证件号码"), lambda h: as_text(shown("id_number", h.head_id_number))),
        (label(Household, "phone"), lambda h: as_text(shown("phone", h.phone))),
        *[(label(Household, name), lambda h, name=name: field_value(h, name)) for name in CODED],
        (_("家庭成员数"), lambda h: str(h.member_count)),
        (_("最近收入年度"), lambda h: str(h.income_year or "")),
        (_("人均纯收入（元）"), lambda h: "" if h.per_capita is None else f"{h.per_capita:.2f}"),
    ]


def _annotated(queryset):
    """Everything a row needs, in the households query itself: no query per row."""
    head = Member.objects.filter(household=OuterRef("pk"), relation=codes.Relation.HEAD).order_by("pk")
    latest = IncomeAccount.objects.filter(household=OuterRef("pk")).order_by("-year")
    return (
        queryset.select_related("village")
        .annotate(
            member_count=Count("members"),
            head_id_number=Subquery(head.values("id_number")[:1]),
            income_year=Subquery(latest.values("year")[:1]),
            per_capita=Subquery(latest.values("per_capita_net_income")[:1], output_field=MONEY),
        )
        .order_by("number")
    )


def household_rows(queryset) -> Iterator[list[str]]:
    """Header, then one row per household of `queryset`, sensitive values masked (exports never reveal)."""
    columns = _columns()
    yield [header for header, _cell in columns]
    for household in _annotated(queryset).iterator(chunk_size=2000):
        yield [cell(household) for _header, cell in columns]


class _Line:
    """csv.writer wants a file; this one hands back each written line."""

    def write(self, text):
        return text


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, which is how Excel recognises UTF-8 (without it Chinese is garbled)."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow(row).encode()


def export_households(user, params, *, via="ui") -> Iterator[list[str]]:
    """The user's filtered household list as rows, written to the audit log with the filters and the row count."""
    queryset = filtered_households(user, params)
    used = {name: value for name, value in vars(HouseholdFilter.from_params(params)).items() if value}
    audit.record(
        user, Action.EXPORT, model="registry.household", area_code=getattr(user, "area_id", "") or "",
        changes={"filters": used, "rows": queryset.count()}, via=via,
    )  # fmt: skip
    return household_rows(queryset)


def export_filename() -> str:
    return f"{_('农户名册')}-{timezone.localdate():%Y%m%d}.csv"
