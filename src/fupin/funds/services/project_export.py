"""The project library and the monthly bulletin as .xlsx, in the layout offices hand on: a title, the reporting unit
(填报单位) and date, the headers (two levels where a figure has parts), amounts in 万元 to four places. Every export
is audited with what it was asked for, like every other export."""

import io
from decimal import Decimal

import xlsxwriter
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area

from .. import codes
from ..models import Disbursement, FundingPlan, Project
from .bulletin import bulletin

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: a county's library fits many times over; a province's would go through the export jobs
MAX_ROWS = 100_000
LIBRARY_HEADERS = (
    "项目编号", "项目名称", "计划年度", "项目地点", "项目类型", "资金用途", "主管部门", "实施单位", "计量单位",
    "计划建设规模", "投资估算（万元）", "资金筹措（万元）", "已支付（万元）", "联农带农机制", "绩效目标",
    "受益户数", "项目阶段", "当前环节", "计划开工", "计划完工", "开工日期", "验收日期", "审计日期", "完工公告日期",
)  # fmt: skip


def _unit_name(user) -> str:
    area = Area.objects.filter(code=getattr(user, "area_id", "") or "").first()
    return area.full_name() if area else ""


class _Book:
    """A workbook with the offices' head: title, 填报单位 and date, then the headers."""

    def __init__(self, title: str, user):
        self.out = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        self.sheet = self.book.add_worksheet(title[:31])
        self.head = self.book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
        self.cell = self.book.add_format({"border": 1})
        self.wan = self.book.add_format({"border": 1, "num_format": "0.0000"})
        self.rate = self.book.add_format({"border": 1, "num_format": "0.00%"})
        self.title = title
        self.unit = _unit_name(user)

    def top(self, width: int) -> int:
        big = self.book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.sheet.merge_range(0, 0, 0, width - 1, self.title, big)
        self.sheet.write_string(1, 0, _("填报单位：%(unit)s") % {"unit": self.unit})
        self.sheet.write_string(1, max(width - 2, 1), _("填报日期：%(day)s") % {"day": timezone.localdate()})
        return 2

    def write(self, row: int, column: int, value, style=None):
        if value is None or value == "":
            self.sheet.write_blank(row, column, None, self.cell)
        elif hasattr(value, "as_tuple"):  # Decimal 万元: a number to four places (the text keeps every digit)
            self.sheet.write_number(row, column, float(value), style or self.wan)
        elif isinstance(value, int):
            self.sheet.write_number(row, column, value, style or self.cell)
        else:
            self.sheet.write_string(row, column, str(value), style or self.cell)

    def close(self) -> bytes:
        self.book.close()
        return self.out.getvalue()


def _record(user, model: str, changes: dict, via: str):
    with transaction.atomic():
        audit.record(
            user,
            Action.EXPORT,
            model=model,
            area_code=getattr(user, "area_id", "") or "",
            changes={**changes, "format": "xlsx"},
            via=via,
        )


def _labels(field_choices) -> dict:
    """A code list's labels read once (a label looked up per cell cost more than writing the sheet)."""
    return {value: str(label) for value, label in field_choices}


def _sums(model, ids, field="amount") -> dict:
    rows = model.objects.filter(project_id__in=ids).values("project_id").annotate(t=Sum(field))
    return {row["project_id"]: Decimal(row["t"]).quantize(codes.WAN_QUANTUM) for row in rows}


def export_library(user, projects, *, filters: dict, via="ui") -> tuple[bytes, str, str]:
    """(content, filename, content type) of the filtered project library (no household's personal field in it)."""
    rows = list(
        projects.select_related("area")
        .annotate(households=Count("beneficiaries", distinct=True))
        .prefetch_related("targets")[:MAX_ROWS]
    )
    ids = [p.pk for p in rows]
    funding, paid = _sums(FundingPlan, ids), _sums(Disbursement, ids)
    labels = {
        name: _labels(Project._meta.get_field(name).choices)
        for name in ("project_type", "category", "department", "unit", "stage", "step")
    }
    _record(user, "funds.project", {"filters": filters, "rows": len(rows)}, via)
    book = _Book(_("扶贫项目库"), user)
    top = book.top(len(LIBRARY_HEADERS))
    for column, header in enumerate(LIBRARY_HEADERS):
        book.write(top, column, _(header), book.head)
    zero = Decimal("0.0000")
    for index, p in enumerate(rows, start=top + 1):
        label = {name: table.get(getattr(p, name), "") for name, table in labels.items()}
        values = [
            p.code, p.name, p.year, p.area.name, label["project_type"], label["category"], label["department"],
            p.implementer, label["unit"], str(p.planned_quantity.normalize()), p.cost, funding.get(p.pk, zero),
            paid.get(p.pk, zero), p.benefit_mechanism, "；".join(f"{t.indicator}：{t.target}" for t in p.targets.all()),
            p.households, label["stage"], label["step"], *(d.isoformat() if d else "" for d in (
                p.planned_start, p.planned_end, p.started_on, p.accepted_on, p.audited_on, p.completion_notice_on)),
        ]  # fmt: skip
        for column, value in enumerate(values):
            book.write(index, column, value)
    book.sheet.set_column(1, 1, 28)
    book.sheet.freeze_panes(top + 1, 2)
    return book.close(), f"项目库-{timezone.localdate():%Y%m%d}.xlsx", CONTENT_TYPE


def export_bulletin(user, month, *, by="township", year=None, via="ui") -> tuple[bytes, str, str]:
    """(content, filename, content type) of the month's bulletin: two header rows (projects / funds / physical)."""
    data = bulletin(user, month, by=by, year=year)
    _record(user, "funds.project", {"bulletin": data["month"].isoformat(), "by": data["by"], "year": year}, via)
    title = _("%(y)s年%(m)s月扶贫项目进度通报") % {"y": data["month"].year, "m": data["month"].month}
    book = _Book(title, user)
    top = book.top(10)
    first = _("乡镇") if data["by"] == "township" else _("主管部门")
    sheet, head = book.sheet, book.head
    sheet.merge_range(top, 0, top + 1, 0, first, head)
    sheet.merge_range(top, 1, top, 3, _("项目个数"), head)
    sheet.merge_range(top, 4, top, 6, _("资金（万元）"), head)
    sheet.merge_range(top, 7, top + 1, 7, _("实物进度"), head)
    sheet.merge_range(top, 8, top, 9, _("超期未完工"), head)
    for column, label in enumerate(
        (_("入库计划"), _("已开工"), _("已验收"), _("计划资金"), _("已支付"), _("支付进度")), start=1
    ):
        book.write(top + 1, column, label, head)
    book.write(top + 1, 8, _("个数"), head)
    book.write(top + 1, 9, _("项目"), head)
    for index, row in enumerate([*data["rows"], data["total"]], start=top + 2):
        values = [row.name, row.planned, row.started, row.completed, row.funds_planned, row.funds_paid]
        for column, value in enumerate(values):
            book.write(index, column, value)
        for column, rate in ((6, row.paid_rate), (7, row.physical_rate)):
            book.write(index, column, None if rate is None else rate, book.rate)
        book.write(index, 8, len(row.late))
        book.write(index, 9, "、".join(p.name for p in row.late))
    sheet.set_column(0, 0, 18)
    sheet.set_column(9, 9, 40)
    name = f"项目进度通报-{data['month']:%Y%m}.xlsx"
    return book.close(), name, CONTENT_TYPE
