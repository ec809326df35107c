"""The four-level ledger (四级台账, seed 001) as a view of the rows: for every holder (the county, a department of
it, a township, a village) × source × category, what it received, allocated on to the level below, spent
(Disbursement) and holds, as of any date. Never stored: one statement of four GROUP BY aggregates (budgets,
transfers in, transfers out, disbursements) summed once more by holder, so a province of 100 counties and
20,000,000 disbursements is read without a loop over records (bench/). Also the figures the pages quote: a
batch's totals against its document, a year's budgets by level and the county budget's 双增长."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Sum

from fupin.areas.models import PREFIX_LENGTH, Area, Level, code_range

from .. import codes
from ..models import Batch, Budget, Disbursement, FundSource, Transfer
from .funds import ZERO, Holder, budget_of, remaining
from .ledger_publication import publication_deadline, publication_state


@dataclass(frozen=True)
class LedgerRow:
    """One holder's money of one source and category. The county's receipt (its budgets) is by source only: its
    row has category "" and its allocations by category are rows of their own, so the county's balance is read
    by source (by_source())."""

    holder_code: str
    holder_level: int  # codes.HolderLevel
    department: str  # blank where an area holds it
    source_id: int
    category: str
    received: Decimal
    allocated: Decimal
    spent: Decimal
    balance: Decimal


#: categories in the order the code list (and the documents) give them, not by their codes' spelling
CATEGORY_ORDER = {code: n for n, code in enumerate(["", *codes.UseCategory.values])}


def _decimal(value) -> Decimal:
    """An ORM sum (Django reads SQLite's REAL sum through its shortest text) or None, to four places."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(codes.WAN_QUANTUM)


def _summed(value) -> Decimal:
    """A sum of the ledger's statement read back exactly: PostgreSQL sums numeric exactly; on SQLite, which keeps a
    decimal column as REAL, the statement sums whole ten-thousandths of 万元 (_amount()) and this divides."""
    if value is None:
        return ZERO
    if connection.vendor == "sqlite":
        return (Decimal(int(value)) / SCALE).quantize(codes.WAN_QUANTUM)
    return Decimal(value).quantize(codes.WAN_QUANTUM)


#: ten-thousandths of 万元 in one 万元: amounts have four decimals (codes.WAN_PLACES)
SCALE = Decimal(10) ** codes.WAN_PLACES


def _amount(column: str = "amount") -> str:
    """SUM() of an amount column, exact on both databases: on SQLite a float sum of 20,000,000 REAL values can lose
    the last decimal, an integer sum cannot."""
    if connection.vendor == "sqlite":
        return f"SUM(CAST(ROUND({column} * {SCALE}) AS INTEGER))"
    return f"SUM({column})"


def _level(code: str, department: str) -> int:
    if code.endswith("0" * (12 - PREFIX_LENGTH[Level.COUNTY])):
        return codes.HolderLevel.DEPARTMENT if department else codes.HolderLevel.COUNTY
    if code.endswith("0" * (12 - PREFIX_LENGTH[Level.TOWNSHIP])):
        return codes.HolderLevel.TOWNSHIP
    return codes.HolderLevel.VILLAGE


def _statement(area_filter: str, holder_filter: str, year: bool) -> str:
    """The ledger's one statement: our own text (table and column names from the models, quoted by the
    database's own quoting), every value bound."""
    q = connection.ops.quote_name
    budget, transfer, paid = (m._meta.db_table for m in (Budget, Transfer, Disbursement))
    on, yr = q("on"), " AND year = %s" if year else ""
    total = _amount()
    parts = (
        f"SELECT county_id AS h, '' AS d, source_id AS s, '' AS c, {total} AS r, 0 AS a, 0 AS p "
        f"FROM {q(budget)} WHERE {area_filter} AND document_date <= %s{yr} GROUP BY county_id, source_id",
        f"SELECT to_area_id, to_department, source_id, category, {total}, 0, 0 FROM {q(transfer)} "
        f"WHERE {area_filter} AND {on} <= %s{yr} GROUP BY to_area_id, to_department, source_id, category",
        f"SELECT from_area_id, from_department, source_id, category, 0, {total}, 0 FROM {q(transfer)} "
        f"WHERE {area_filter} AND {on} <= %s{yr} GROUP BY from_area_id, from_department, source_id, category",
        f"SELECT area_id, department, source_id, category, 0, 0, {total} FROM {q(paid)} "
        f"WHERE {area_filter} AND {on} <= %s{yr} GROUP BY area_id, department, source_id, category",
    )
    union = " UNION ALL ".join(parts)
    return (
        f"SELECT h, d, s, c, SUM(r), SUM(a), SUM(p) FROM ({union}) ledger_rows {holder_filter} "
        "GROUP BY h, d, s, c ORDER BY h, d, s, c"
    )


def four_level(area: Area, as_of: date, *, year: int | None = None) -> list[LedgerRow]:
    """Every holder's ledger under `area` as of `as_of` (rows dated that day included), of every fund year or of
    one (`year`). `area` is a county or any area above it (all its counties); a township or a village gives the
    holders inside it (the township and its villages)."""
    county_length = PREFIX_LENGTH[Level.COUNTY]
    params: list = []
    if area.level == Level.COUNTY:
        area_filter, area_params = "county_id = %s", [area.code]
    else:
        low, high = code_range(area.prefix[:county_length])
        area_filter, area_params = "county_id >= %s AND county_id < %s", [low, high]
    holder_filter, holder_params = "", []
    if len(area.prefix) > county_length:
        holder_filter, holder_params = "WHERE h >= %s AND h < %s", list(code_range(area.prefix))
    for _part in range(4):
        params += [*area_params, as_of, *([year] if year else [])]
    params += holder_params
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a province's aggregate hashes in memory instead of sorting on disk (measured: −20 % at 2,000,000 rows)
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_statement(area_filter, holder_filter, year is not None), params)
        found = cursor.fetchall()
    rows = []
    for code, department, source, category, received, allocated, spent in found:
        received, allocated, spent = _summed(received), _summed(allocated), _summed(spent)
        rows.append(
            LedgerRow(
                code, _level(code, department), department, source, category,
                received, allocated, spent, received - allocated - spent,
            )
        )  # fmt: skip
    return rows


def holder_balance(holder: Holder, source: FundSource, category: str, *, as_of: date) -> Decimal:
    """What one holder holds of a source and category on a day: received less allocated on and spent."""
    code, dept = holder.area.code, holder.department
    base = {"source": source, "category": category, "on__lte": as_of}
    received = Transfer.objects.filter(to_area_id=code, to_department=dept, **base).aggregate(t=Sum("amount"))["t"]
    given = Transfer.objects.filter(from_area_id=code, from_department=dept, **base).aggregate(t=Sum("amount"))["t"]
    spent = Disbursement.objects.filter(area_id=code, department=dept, **base).aggregate(t=Sum("amount"))["t"]
    return _decimal(received) - _decimal(given) - _decimal(spent)


# ── a holder's page ────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Totals:
    received: Decimal = ZERO
    allocated: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.received - self.allocated - self.spent

    def add(self, row) -> None:
        self.received += row.received
        self.allocated += row.allocated
        self.spent += row.spent


def by_source(rows) -> dict[int, Totals]:
    """A holder's rows summed by source (the county's balance is read so: its budget is by source)."""
    totals: dict[int, Totals] = {}
    for row in rows:
        totals.setdefault(row.source_id, Totals()).add(row)
    return totals


def holder_ledger(area: Area, as_of: date, *, department: str = "", year: int | None = None) -> dict:
    """One holder's ledger and its children's totals: the county with its departments and townships, a township
    with its villages, a department or a village alone, from four_level() of that area."""
    rows = four_level(area, as_of, year=year)
    own = [r for r in rows if r.holder_code == area.code and r.department == department]
    level = _level(area.code, department)
    children: dict[tuple, Totals] = {}
    if level == codes.HolderLevel.COUNTY:
        wanted = {codes.HolderLevel.DEPARTMENT, codes.HolderLevel.TOWNSHIP}
    elif level == codes.HolderLevel.TOWNSHIP:
        wanted = {codes.HolderLevel.VILLAGE}
    else:
        wanted = set()
    for row in rows:
        if row.holder_level in wanted and row.holder_code.startswith(area.prefix):
            children.setdefault((row.holder_code, row.department), Totals()).add(row)
    total = Totals()
    for row in own:
        total.add(row)
    return {"level": level, "rows": own, "by_source": by_source(own), "children": children, "total": total}


def county_totals(rows) -> dict[str, dict]:
    """For an area above the counties: each county's budgets received, what the county level allocated on, what
    every level of it spent, and the money still held anywhere in it (received − spent at all levels)."""
    totals: dict[str, dict] = {}
    for row in rows:
        entry = totals.setdefault(row.holder_code[: PREFIX_LENGTH[Level.COUNTY]], {"received": ZERO,
                                  "allocated": ZERO, "spent": ZERO})  # fmt: skip
        if row.holder_level == codes.HolderLevel.COUNTY:
            entry["received"] += row.received
            entry["allocated"] += row.allocated
        entry["spent"] += row.spent
    for entry in totals.values():
        entry["held"] = entry["received"] - entry["spent"]
    return totals


# ── a batch against its document ───────────────────────────────────────────────────────────────────────────────


def batch_summary(batch: Batch) -> dict:
    """A batch's document figures beside its lines: by source the declared total, the part advanced in an earlier
    year, the lines' sum and the difference (lines − document; shown, never corrected), and what is left of the
    year's budget for the next batch; the lines by source × category; the publication deadline and state."""
    lines = batch.transfers.values("source_id", "category").annotate(total=Sum("amount")).order_by("source_id")
    by_category: dict[int, list] = {}
    for line in sorted(lines, key=lambda line: CATEGORY_ORDER.get(line["category"], 99)):
        by_category.setdefault(line["source_id"], []).append(
            (codes.UseCategory(line["category"]).label, _decimal(line["total"]))
        )
    sources = []
    for row in batch.sources.select_related("source"):
        lined = sum((amount for _label, amount in by_category.get(row.source_id, [])), ZERO)
        sources.append(
            {
                "source": row.source,
                "declared": row.declared,
                "advanced": row.advanced,
                "advanced_year": row.advanced_year,
                "lines": lined,
                "difference": lined - row.declared,
                "categories": by_category.get(row.source_id, []),
                "budget": budget_of(row.source, batch.year),
                "remaining": remaining(row.source, batch.year),
            }
        )
    total = {key: sum((s[key] for s in sources), ZERO) for key in ("declared", "advanced", "lines", "difference")}
    return {
        "sources": sources,
        "total": total,
        "deadline": publication_deadline(batch),
        "state": publication_state(batch),
    }


# ── yearly totals and 双增长 ──────────────────────────────────────────────────────────────────────────────────


def _rate(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return ((now - before) / before * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def yearly_totals(county: Area) -> list[dict]:
    """The county's budgets by year and fund level (中央、省、市、县), newest first, with the total's growth."""
    found = (
        Budget.objects.filter(county=county)
        .values("year", "source__level")
        .annotate(total=Sum("amount"))
        .order_by("-year")
    )
    years: dict[int, dict] = {}
    for row in found:
        entry = years.setdefault(row["year"], {"year": row["year"], "levels": {}, "total": ZERO})
        entry["levels"][row["source__level"]] = _decimal(row["total"])
        entry["total"] += _decimal(row["total"])
    ordered = sorted(years.values(), key=lambda e: e["year"])
    for before, entry in zip([None, *ordered], ordered, strict=False):
        entry["increase"] = entry["total"] - before["total"] if before and before["year"] == entry["year"] - 1 else None
        entry["rate"] = _rate(entry["total"], before["total"]) if entry["increase"] is not None else None
    return list(reversed(ordered))


def growth(county: Area, year: int, *, level: str = codes.FundLevel.COUNTY) -> dict:
    """双增长 of the county's own budget (seed 004: 8,377.5 against 6,935 万元, up 1,442.5 万元 or 20.8 %): the
    year's budgets of that fund level, the year before's, the increase and its rate (a percentage to one decimal,
    half up, as the documents state it), and the year before's rate; `double` is true when both the amount and the
    rate grew (None where a year is missing)."""

    def total(y):
        found = Budget.objects.filter(county=county, year=y, source__level=level).aggregate(t=Sum("amount"))["t"]
        return None if found is None else _decimal(found)

    now, before, earlier = total(year), total(year - 1), total(year - 2)
    increase = now - before if now is not None and before is not None else None
    rate = _rate(now, before) if increase is not None else None
    rate_before = _rate(before, earlier) if before is not None and earlier is not None else None
    double = None
    if increase is not None and rate_before is not None and rate is not None:
        double = increase > 0 and rate > rate_before
    return {
        "year": year,
        "level": level,
        "amount": now,
        "amount_before": before,
        "increase": increase,
        "rate": rate,
        "rate_before": rate_before,
        "double": double,
    }
