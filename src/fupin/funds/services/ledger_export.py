"""A holder's ledger as the .xlsx offices hand on: the title, 填报单位, 截止日期 and 单位：万元 above a two-level
merged header (资金来源及用途 | 资金收支情况: 收到、下达、支出、结余), the rows by source and category with a 小计 per
source and a 合计, then the units a level down; amounts are numbers (four decimals), never text. The export is
audited like every other."""

import io
from datetime import date

import xlsxwriter
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_COLUMNS = 4


class _Book:
    def __init__(self):
        self.out = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        self.sheet = self.book.add_worksheet(_("资金台账"))
        f = self.book.add_format
        self.title = f({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.meta = f({"font_size": 10})
        self.head = f({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#EEF1F5",
                       "text_wrap": True})  # fmt: skip
        self.cell = f({"border": 1})
        self.money = f({"border": 1, "num_format": "#,##0.0000"})
        self.bold_cell = f({"border": 1, "bold": True})
        self.bold_money = f({"border": 1, "bold": True, "num_format": "#,##0.0000"})
        self.row = 0

    def header(self, title: str, unit: str, as_of: date, width: int) -> None:
        self.sheet.merge_range(0, 0, 0, width - 1, title, self.title)
        self.sheet.set_row(0, 30)
        self.sheet.merge_range(1, 0, 1, 2, _("填报单位：%(unit)s") % {"unit": unit}, self.meta)
        self.sheet.merge_range(1, 3, 1, width - 2, _("截止日期：%(day)s") % {"day": as_of.isoformat()}, self.meta)
        self.sheet.write_string(1, width - 1, _("单位：万元"), self.meta)
        self.row = 2

    def two_level(self, first: list[str]) -> None:
        """The first columns spanning both header rows, then 资金收支情况 over 收到、下达、支出、结余."""
        top, low = self.row, self.row + 1
        for column, label in enumerate(first):
            self.sheet.merge_range(top, column, low, column, label, self.head)
        start = len(first)
        self.sheet.merge_range(top, start, top, start + MONEY_COLUMNS - 1, _("资金收支情况"), self.head)
        for offset, label in enumerate((_("收到资金"), _("分配下达"), _("已支出"), _("结余"))):
            self.sheet.write_string(low, start + offset, label, self.head)
        self.row += 2

    def line(self, texts: list, amounts: list, *, bold=False) -> None:
        for column, value in enumerate(texts):
            if isinstance(value, int):
                self.sheet.write_number(self.row, column, value, self.bold_cell if bold else self.cell)
            else:
                self.sheet.write_string(self.row, column, str(value), self.bold_cell if bold else self.cell)
        for offset, amount in enumerate(amounts):
            self.sheet.write_number(
                self.row, len(texts) + offset, float(amount), self.bold_money if bold else self.money
            )
        self.row += 1

    def section(self, label: str, width: int) -> None:
        self.row += 1
        self.sheet.merge_range(self.row, 0, self.row, width - 1, label, self.bold_cell)
        self.row += 1

    def close(self) -> bytes:
        self.book.close()
        return self.out.getvalue()


def _amounts(totals) -> list:
    return [totals.received, totals.allocated, totals.spent, totals.balance]


def ledger_workbook(user, *, title: str, unit: str, area_code: str, as_of: date, context: dict, via="ui") -> bytes:
    """The ledger page's figures (views.ledger.ledger_context) as a workbook, audited as an EXPORT."""
    book = _Book()
    width = 3 + MONEY_COLUMNS
    book.header(title, unit, as_of, width)
    book.sheet.set_column(0, 0, 6)
    book.sheet.set_column(1, 2, 26)
    book.sheet.set_column(3, 6, 16)
    rows = 0
    if context["above"]:
        book.two_level([_("序号"), _("县（市、区）"), _("代码")])
        for n, county in enumerate(context["counties"], start=1):
            book.line([n, county["name"], county["code"]],
                      [county["received"], county["allocated"], county["spent"], county["held"]])  # fmt: skip
            rows += 1
    else:
        book.two_level([_("序号"), _("资金来源"), _("资金用途")])
        n = 0
        for group in context["groups"]:
            for line in group["lines"]:
                n += 1
                book.line([n, group["source"], line["category"] or _("年度预算")], _amounts(line["row"]))
            book.line(["", group["source"], _("小计")], _amounts(group["totals"]), bold=True)
            rows += len(group["lines"])
        book.line(["", _("合计"), ""], _amounts(context["total"]), bold=True)
        if context["children"]:
            book.section(_("下级单位台账"), width)
            book.two_level([_("序号"), _("单位"), _("层级")])
            for n, child in enumerate(context["children"], start=1):
                book.line([n, child["label"], str(child["level"])], _amounts(child["totals"]))
                rows += 1
    book.sheet.freeze_panes(4, 0)
    book.sheet.set_landscape()
    book.sheet.fit_to_pages(1, 0)
    content = book.close()
    with transaction.atomic():
        audit.record(
            user,
            Action.EXPORT,
            model="funds.ledger",
            area_code=area_code,
            changes={"as_of": as_of.isoformat(), "rows": rows, "format": "xlsx"},
            via=via,
        )
    return content
