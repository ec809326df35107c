"""The asset ledgers, both views of the same Asset rows as of a date: the general ledger (总台账) — one line per
area one level below the viewer's (a county's townships, a township's villages), with the count and value by
category, the value by owner and the count by state — and the detailed ledger (明细台账), one line per asset. As of
a date: an asset formed after it is not yet in the ledger, one disposed of by then counts as disposed (its value
out of the book totals), an ownership confirmed after it counts as not yet confirmed (未确权).

Sums are Decimal in Python over the rows (exact on both databases: SQLite's SUM of decimals is a float). Exports
are audited and laid out as offices hand them on: title, 填报单位, 截止日期, 单位：万元, merged headers, numbers as
numbers."""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import xlsxwriter
from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Round, Substr
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import PREFIX_LENGTH, Area, Level
from fupin.areas.scoping import scope_prefix

from .. import codes
from .assets import owner_name

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
C, OL, ST = codes.AssetCategory, codes.OwnerLevel, codes.AssetState
UNCONFIRMED = "unconfirmed"
ZERO = Decimal("0.0000")
#: the next level down, for the general ledger's lines
BELOW = {Level.PROVINCE: Level.CITY, Level.CITY: Level.COUNTY, Level.COUNTY: Level.TOWNSHIP}


@dataclass
class Line:
    """A line of the general ledger: an area (or the total), counts and values (万元)."""

    code: str
    name: str
    count: int = 0
    value: Decimal = ZERO
    by_category: dict = field(default_factory=lambda: {c: [0, ZERO] for c in C.values})
    by_owner: dict = field(default_factory=lambda: {o: ZERO for o in (*OL.values, UNCONFIRMED)})
    by_state: dict = field(default_factory=lambda: {s: 0 for s in ST.values})
    disposed_value: Decimal = ZERO

    def add(self, category: str, owner: str, state: str, count: int, value: Decimal) -> None:
        """`count` assets of one category, owner and state (as of the ledger's date) worth `value` together."""
        self.by_state[state] += count
        if state == ST.DISPOSED:
            self.disposed_value += value
            return
        self.count += count
        self.value += value
        self.by_category[category][0] += count
        self.by_category[category][1] += value
        self.by_owner[owner] += value


@dataclass(frozen=True)
class Booked:
    """An asset as the ledger of a date sees it."""

    area_id: str
    category: str
    value: Decimal
    owner: str
    state: str


def in_ledger(queryset, as_of: date):
    """The assets formed by `as_of`."""
    return queryset.filter(formed_on__lte=as_of)


def booked(asset, as_of: date) -> Booked:
    """The asset's state and owner as of `as_of`: disposed only once its disposal date has come, confirmed only
    once its ownership was."""
    disposed = asset["state"] == ST.DISPOSED and asset["disposed_on"] is not None and asset["disposed_on"] <= as_of
    state = ST.DISPOSED if disposed else (ST.IN_USE if asset["state"] == ST.DISPOSED else asset["state"])
    confirmed = asset["owner_level"] and asset["confirmed_on"] is not None and asset["confirmed_on"] <= as_of
    value = Decimal(str(asset["value"])).quantize(codes.WAN_QUANTUM)
    return Booked(asset["area_id"], asset["category"], value, asset["owner_level"] if confirmed else UNCONFIRMED, state)


def _grouped(queryset, as_of: date, length: int):
    """The assets counted and summed in the database by (area `length` digits, category, owner then, state then).
    Values are summed as whole ten-thousandths of 万元 (exact on both databases: SQLite keeps a decimal as a float,
    and an amount to four places × 10,000 rounds back to its integer exactly)."""
    disposed = Q(state=ST.DISPOSED)
    state_then = Case(
        When(disposed & Q(disposed_on__lte=as_of), then=Value(ST.DISPOSED.value)),
        When(disposed, then=Value(ST.IN_USE.value)),  # disposed of later: in use on the date
        default=F("state"),
    )
    owner = Case(
        When(~Q(owner_level="") & Q(confirmed_on__lte=as_of), then=F("owner_level")), default=Value(UNCONFIRMED)
    )
    units = Cast(Round(F("value") * codes.YUAN_PER_WAN), BigIntegerField())
    return (
        queryset.order_by()
        .annotate(group=Substr("area_id", 1, length), owner=owner, state_then=state_then)
        .values("group", "category", "owner", "state_then")
        .annotate(count=Count("id"), ten_thousandths=Sum(units))
    )


def viewer_area(user) -> Area:
    """The area whose ledger the user reads: his own (a superuser's: the widest area on file)."""
    prefix = scope_prefix(user)
    if getattr(user, "area_id", None):
        return Area.objects.get(code=user.area_id)
    return Area.objects.filter(code__startswith=prefix).order_by("level", "code").first()


def general_ledger(user, queryset, as_of: date, area: Area | None = None) -> dict:
    """{"area", "as_of", "lines", "total"}: the general ledger of `area` (default: the user's) from `queryset`
    (already scoped to the user), one line per area below it and the area's own (本级) line first."""
    area = area or viewer_area(user)
    level = BELOW.get(area.level, Level.VILLAGE)
    length = PREFIX_LENGTH[level]
    lines: dict[str, Line] = {}
    for row in _grouped(in_ledger(queryset.under(area.prefix), as_of), as_of, length):
        code = row["group"].ljust(12, "0")  # an asset standing at the area itself groups under the area's own code
        if code not in lines:
            lines[code] = Line(code, "")
        value = (Decimal(int(row["ten_thousandths"] or 0)) / codes.YUAN_PER_WAN).quantize(codes.WAN_QUANTUM)
        lines[code].add(row["category"], row["owner"], row["state_then"], row["count"], value)
    names = dict(Area.objects.filter(code__in=lines).values_list("code", "name"))
    for code, line in lines.items():
        own = code == area.code and area.level < Level.VILLAGE
        line.name = _("%(name)s本级") % {"name": area.name} if own else names.get(code, code)
    ordered = sorted(lines.values(), key=lambda x: (x.code != area.code, x.code))
    total = Line("", _("合计"))
    for line in ordered:
        total.count += line.count
        total.value += line.value
        total.disposed_value += line.disposed_value
        for key, (count, value) in line.by_category.items():
            total.by_category[key][0] += count
            total.by_category[key][1] += value
        for key, value in line.by_owner.items():
            total.by_owner[key] += value
        for key, count in line.by_state.items():
            total.by_state[key] += count
    return {"area": area, "as_of": as_of, "lines": ordered, "total": total}


def book_value(queryset, as_of: date) -> Decimal:
    """The value (万元) of the assets of `queryset` in the book on `as_of`: formed by then, not disposed of by then."""
    rows = _grouped(in_ledger(queryset, as_of), as_of, 0)
    units = sum(int(r["ten_thousandths"] or 0) for r in rows if r["state_then"] != ST.DISPOSED)
    return (Decimal(units) / codes.YUAN_PER_WAN).quantize(codes.WAN_QUANTUM)


def detail_rows(queryset, as_of: date) -> list[dict]:
    """The detailed ledger's lines: each asset formed by `as_of`, with its project and funding sources."""
    assets = in_ledger(queryset, as_of).select_related("area", "project", "owner_area", "owner_household")
    assets = assets.prefetch_related("project__funding__source").order_by("area_id", "code", "id")
    lines = []
    for asset in assets:
        values = {"state": asset.state, "disposed_on": asset.disposed_on, "owner_level": asset.owner_level,
                  "confirmed_on": asset.confirmed_on, "value": asset.value, "area_id": asset.area_id,
                  "category": asset.category}  # fmt: skip
        seen = booked(values, as_of)
        funding = list(asset.project.funding.all()) if asset.project_id else []
        lines.append(
            {
                "asset": asset,
                "state": seen.state,
                "state_label": ST(seen.state).label,
                "owner": owner_name(asset) if seen.owner != UNCONFIRMED else "",
                "owner_level": OL(seen.owner).label if seen.owner != UNCONFIRMED else _("未确权"),
                "sources": "、".join(f"{f.source.name} {f.amount}" for f in funding),
                "rights": asset.rights,
            }
        )
    return lines


# ── exports ────────────────────────────────────────────────────────────────────────────────────────────────────


def _audited(user, kind: str, area: Area, as_of: date, rows: int, via: str) -> None:
    with transaction.atomic():
        audit.record(
            user, Action.EXPORT, model="funds.asset", area_code=area.code,
            changes={"ledger": kind, "as_of": str(as_of), "rows": rows, "format": "xlsx"}, via=via,
        )  # fmt: skip


class _Book:
    """A workbook in the office layout: a merged title, 填报单位 / 截止日期 / 单位 on the second line, the headers
    (merged over their sub-columns) from the third, then the rows."""

    def __init__(self, sheet_name):
        self.out = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        self.sheet = self.book.add_worksheet(sheet_name)
        border = {"border": 1, "valign": "vcenter"}
        self.title = self.book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.head = self.book.add_format({**border, "bold": True, "align": "center", "text_wrap": True})
        self.text = self.book.add_format(border)
        self.wan = self.book.add_format({**border, "num_format": "#,##0.0000"})
        self.int = self.book.add_format({**border, "num_format": "0"})

    def top(self, title: str, area: Area, as_of: date, width: int) -> None:
        self.sheet.merge_range(0, 0, 0, width - 1, title, self.title)
        self.sheet.set_row(0, 30)
        third = max(width // 3, 1)
        self.sheet.write_string(1, 0, _("填报单位：%(name)s") % {"name": area.name})
        self.sheet.write_string(1, third, _("截止日期：%(day)s") % {"day": as_of.isoformat()})
        self.sheet.write_string(1, width - 1, _("单位：万元"))

    def cell(self, row, column, value) -> None:
        if isinstance(value, Decimal):
            self.sheet.write_number(row, column, float(value), self.wan)  # 4 decimals: exact in a double
        elif isinstance(value, int):
            self.sheet.write_number(row, column, value, self.int)
        else:
            self.sheet.write_string(row, column, "" if value is None else str(value), self.text)

    def close(self) -> bytes:
        self.book.close()
        return self.out.getvalue()


def _headers(book: _Book, groups: list[tuple[str, list[str]]], row: int) -> int:
    """Two header rows: a group with one sub-column spans both rows; one with several is merged across them."""
    column = 0
    for title, subs in groups:
        if len(subs) <= 1:
            book.sheet.merge_range(row, column, row + 1, column, title, book.head)
            column += 1
            continue
        book.sheet.merge_range(row, column, row, column + len(subs) - 1, title, book.head)
        for offset, sub in enumerate(subs):
            book.sheet.write_string(row + 1, column + offset, sub, book.head)
        column += len(subs)
    return column


def general_groups() -> list[tuple[str, list[str]]]:
    count, value = _("个数"), _("价值")
    return [
        (_("单位"), [_("单位")]),
        (_("资产合计"), [count, value]),
        *((str(label), [count, value]) for _code, label in C.choices),
        (_("确权情况（价值）"), [*(str(label) for _c, label in OL.choices), _("未确权")]),
        (_("资产状态（个数）"), [str(label) for _c, label in ST.choices]),
        (_("已处置价值"), [_("已处置价值")]),
    ]


def general_cells(line: Line) -> list:
    cells = [line.name, line.count, line.value]
    for code in C.values:
        cells += line.by_category[code]
    cells += [line.by_owner[o] for o in (*OL.values, UNCONFIRMED)]
    cells += [line.by_state[s] for s in ST.values]
    return [*cells, line.disposed_value]


def export_general(user, ledger: dict, *, via="ui") -> tuple[bytes, str, str]:
    """(content, filename, type) of the general ledger (扶贫项目资产总台账)."""
    area, as_of = ledger["area"], ledger["as_of"]
    _audited(user, "general", area, as_of, len(ledger["lines"]), via)
    book = _Book(_("资产总台账"))
    groups = general_groups()
    width = sum(len(subs) for _t, subs in groups)
    book.top(_("%(name)s扶贫项目资产总台账") % {"name": area.name}, area, as_of, width)
    _headers(book, groups, 2)
    for index, line in enumerate([*ledger["lines"], ledger["total"]]):
        for column, value in enumerate(general_cells(line)):
            book.cell(4 + index, column, value)
    book.sheet.set_column(0, 0, 16)
    book.sheet.set_column(1, width - 1, 11)
    book.sheet.freeze_panes(4, 1)
    return book.close(), f"资产总台账-{area.name}-{as_of:%Y%m%d}.xlsx", CONTENT_TYPE


DETAIL_GROUPS = [
    ("序号", ["序号"]),
    ("资产编号", ["资产编号"]),
    ("资产名称", ["资产名称"]),
    ("资产类别", ["资产类别"]),
    ("资产类型", ["资产类型"]),
    ("坐落地点", ["所在村（乡镇）", "具体位置"]),
    ("规模", ["数量", "单位"]),
    ("资产价值", ["资产价值"]),
    ("形成日期", ["形成日期"]),
    ("资产来源", ["来源项目", "资金来源（万元）"]),
    ("确权情况", ["确权层级", "所有权人", "确权日期", "经营权", "收益权", "监督权"]),
    ("管护主体", ["管护主体"]),
    ("资产状态", ["资产状态"]),
]


def _detail_cells(number: int, line: dict) -> list:
    a = line["asset"]
    return [
        number, a.code, a.name, a.get_category_display(), a.kind, a.area.name, a.location,
        float(a.quantity) if a.quantity is not None else "", a.get_unit_display() if a.unit else "", a.value,
        a.formed_on.isoformat(), a.project.name if a.project_id else _("（补录）"), line["sources"],
        line["owner_level"], line["owner"], a.confirmed_on.isoformat() if line["owner"] and a.confirmed_on else "",
        a.rights.get("operation", ""), a.rights.get("income", ""), a.rights.get("supervision", ""), a.maintainer,
        line["state_label"],
    ]  # fmt: skip


def export_detail(user, area: Area, lines: list[dict], as_of: date, *, via="ui") -> tuple[bytes, str, str]:
    """(content, filename, type) of the detailed ledger (扶贫项目资产明细台账) of `area`."""
    _audited(user, "detail", area, as_of, len(lines), via)
    book = _Book(_("资产明细台账"))
    groups = [(_(t), [_(s) for s in subs]) for t, subs in DETAIL_GROUPS]
    width = sum(len(subs) for _t, subs in groups)
    book.top(_("%(name)s扶贫项目资产明细台账") % {"name": area.name}, area, as_of, width)
    _headers(book, groups, 2)
    for index, line in enumerate(lines):
        for column, value in enumerate(_detail_cells(index + 1, line)):
            if isinstance(value, float):
                book.sheet.write_number(4 + index, column, value, book.text)
            else:
                book.cell(4 + index, column, value)
    total_row = 4 + len(lines)
    book.cell(total_row, 0, _("合计"))
    value_column = 9
    book.cell(total_row, value_column, sum((ln["asset"].value for ln in lines if ln["state"] != ST.DISPOSED), ZERO))
    book.sheet.set_column(0, width - 1, 12)
    book.sheet.freeze_panes(4, 3)
    return book.close(), f"资产明细台账-{area.name}-{as_of:%Y%m%d}.xlsx", CONTENT_TYPE
