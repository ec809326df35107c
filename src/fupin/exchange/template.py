"""The import template, and the workbook layout that exports share with it.

Every sheet of a book (exchange.sheets) gets its header row laid out the same way in the template and in an export: the
Chinese headers (required ones in red, read-only ones in grey), a comment on each header saying what the cell
takes, drop-down lists for code and 是/否 columns, limits on numbers and lengths, and a cell format per column.
So a clerk who fills an exported file sees what the template shows, and the file imports back unchanged.

Cell formats: text, ID, area and code columns are text ('@'), so an ID number, a phone, a household number or a
code "01" typed or pasted into them stays as typed instead of becoming a number (Excel keeps 15 significant
digits and drops leading zeros); the format is the column's, so it holds on every row. Dates are yyyy-mm-dd,
money 0.00.

The drop-down lists take their labels from the hidden sheet 代码表: a list typed into a validation may not exceed
255 characters, and some code lists do.
"""

from collections.abc import Sequence

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import quote_sheetname, xl_range_abs

from fupin.core.sheets import YEAR_ALONE, Column, Sheet
from fupin.registry.sheets import MEMBERS

from .sheets import sheets

#: the book whose template write_template writes: the registry's (an app's own book is laid out by Layout(book=…))
BOOK = "registry"
GUIDE = "说明"
CODE_LIST = "代码表"
#: rows of a worksheet, the header included
EXCEL_ROWS = 1_048_576
#: what a 是/否 cell holds: fixed, the importer reads these whatever the user's language
YES, NO = "是", "否"
#: text columns holding digits that Excel would turn into numbers
DIGITS = frozenset({"number", "phone", "bank_account", "disability_cert"})
TEXT_KINDS = ("text", "id", "area", "code", "when")  # "when": a year alone must stay a year, not a 1905 date
WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def holds_digits(column: Column) -> bool:
    """A column Excel must keep as text although it holds digits (IDs, numbers, phones, accounts, area codes)."""
    return column.kind in ("id", "area") or column.name in DIGITS


def _default_text(column: Column) -> str:
    value = column.default
    if value is None or value == "":
        return ""
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "code":
        return dict(column.choices).get(str(value), str(value))
    return str(value)


def _kind_text(column: Column) -> str:
    if column.kind == "id":
        return _(
            "证件号码，必须是文本：本列已设为文本格式。从别处复制时请用“选择性粘贴→数值”，"
            "否则18位号码会被Excel改成科学计数法、末三位变成0。居民身份证号码按国家标准校验；"
            "新成员的出生日期、性别留空时由身份证号码推出。"
        )
    if column.kind == "area":
        return _("12位村级行政区划代码（文本），须在您的管辖范围内。")
    if column.kind == "code":
        listing = "；".join(f"{code} {label}" for code, label in column.choices)
        return _("从下拉列表选择，或填写代码：%(listing)s。") % {"listing": listing}
    if column.kind == "bool":
        return _("填“是”或“否”。")
    if column.kind == "date":
        return _("日期，如 2021-03-05；也可填 2021/3/5、2021年3月5日 或 20210305。")
    if column.kind == "when":
        month, day = YEAR_ALONE
        return _(
            "日期，如 2021-03-05；只知道年度时可只填年度（如 2016），按约定记为该年%(month)s月%(day)s日，"
            "并标明为约定日期。"
        ) % {"month": month, "day": day}
    if column.kind == "int":
        if column.low is not None and column.high is not None:
            return _("整数，%(low)s至%(high)s。") % {"low": column.low, "high": column.high}
        return _("整数。")
    if column.kind == "money":
        return _("金额（元），最多两位小数，不能为负数。")
    if holds_digits(column):
        return _("文本，最多%(length)s位；本列为文本格式，号码不会被Excel改成数字。") % {"length": column.max_length}
    return _("文本，最多%(length)s个字。") % {"length": column.max_length}


def describe(column: Column, sheet: Sheet) -> str:
    """What a cell of this column takes, in Chinese: the header's comment and the guide's table."""
    lines = [_kind_text(column)]
    if column.name in sheet.key:
        keys = "”＋“".join(sheet.column(name).header for name in sheet.key)
        lines.append(_("按“%(keys)s”识别记录：系统中已有的更新，没有的新建。") % {"keys": keys})
    if column.required:
        lines.append(_("新建记录时必填。"))
    if default := _default_text(column):
        lines.append(_("新建记录留空时取“%(value)s”。") % {"value": default})
    return "\n".join(lines)


def _display_width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _width(column: Column) -> float:
    by_kind = {"id": 22, "area": 15, "date": 12, "money": 13, "int": 8, "bool": 8}
    if column.kind == "code":
        wanted = max(_display_width(label) for _code, label in column.choices) + 4
    else:
        wanted = by_kind.get(column.kind, min(max(column.max_length, 10), 30))
    return min(max(_display_width(column.header) + 3, wanted), 40)


class Layout:
    """An xlsxwriter workbook in the import format. `data_sheet` lays out one sheet's header; the caller writes
    the rows (an export) or leaves them empty (the template); `close` adds the hidden code list and writes the
    file. With constant_memory, rows must then be written in order, which is how exports write them."""

    def __init__(self, target, *, constant_memory: bool = False, book: str = BOOK):
        self.book_name = book
        self.book = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": constant_memory})
        add = self.book.add_format
        header = {"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "vcenter"}
        self.header = add(header)
        self.required = add({**header, "font_color": "#C00000"})
        self.readonly = add({**header, "bg_color": "#EDEDED", "font_color": "#595959", "italic": True})
        self.text = add({"num_format": 49})  # Excel's built-in "@" (Text)
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.money = add({"num_format": "0.00"})
        self.bold = add({"bold": True})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self._lists = self._code_lists()

    def cell_format(self, column: Column):
        if column.kind in TEXT_KINDS:
            return self.text
        return {"date": self.date, "money": self.money}.get(column.kind)

    def _code_lists(self) -> dict[tuple, tuple[int, Column]]:
        """Each distinct code list of the book's sheets and its column in the hidden code sheet."""
        lists = {}
        for sheet in sheets(self.book_name):
            for column in sheet.all_columns:
                if column.kind == "code" and column.choices not in lists:
                    lists[column.choices] = (len(lists), column)
        return lists

    def _list_source(self, column: Column) -> str:
        position, _first = self._lists[column.choices]
        cells = xl_range_abs(1, position, len(column.choices), position)
        return f"={quote_sheetname(CODE_LIST)}!{cells}"

    def data_sheet(self, sheet: Sheet, columns: Sequence[Column], readonly: Sequence[Column] = ()):
        """A worksheet named after the sheet with its header row: `columns` for import, then `readonly` ones
        (exported for reading, ignored on import). Returns the xlsxwriter worksheet."""
        worksheet = self.book.add_worksheet(sheet.title)
        worksheet.freeze_panes(1, 0)
        worksheet.set_row(0, 32)
        for position, column in enumerate(columns):
            style = self.required if column.required else self.header
            worksheet.set_column(position, position, _width(column), self.cell_format(column))
            worksheet.write_string(0, position, column.header, style)
            self._comment(worksheet, position, describe(column, sheet))
            self._validate(worksheet, position, column)
        for position, column in enumerate(readonly, start=len(columns)):
            worksheet.set_column(position, position, _width(column), self.cell_format(column))
            worksheet.write_string(0, position, column.header, self.readonly)
            self._comment(worksheet, position, _("仅供查看，由系统生成；导入时忽略本列。"))
        return worksheet

    @staticmethod
    def _comment(worksheet, position: int, text: str) -> None:
        lines = sum(1 + _display_width(line) // 40 for line in text.splitlines())
        worksheet.write_comment(0, position, text, {"width": 300, "height": 20 + 16 * lines})

    def _validate(self, worksheet, position: int, column: Column) -> None:
        """A data validation on every row below the header."""
        rule = None
        if column.kind == "code":
            rule = {
                "validate": "list",
                "source": self._list_source(column),
                "error_type": "warning",
                "error_message": _("请从下拉列表中选择；填写代码也可以。"),
            }
        elif column.kind == "bool":
            rule = {
                "validate": "list",
                "source": [YES, NO],
                "error_type": "warning",
                "error_message": _("请填“是”或“否”。"),
            }
        elif column.kind == "int":
            low = column.low if column.low is not None else 0
            high = column.high if column.high is not None else 2**31 - 1
            rule = {
                "validate": "integer",
                "criteria": "between",
                "minimum": low,
                "maximum": high,
                "error_message": _("请填%(low)s至%(high)s之间的整数。") % {"low": low, "high": high},
            }
        elif column.kind == "money":
            rule = {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "error_message": _("请填不小于0的金额（元）。"),
            }
        elif column.kind == "area":
            rule = {"validate": "length", "criteria": "==", "value": 12, "error_message": _("请填12位行政区划代码。")}
        elif column.max_length:
            rule = {
                "validate": "length",
                "criteria": "<=",
                "value": column.max_length,
                "error_message": _("最多%(length)s个字符。") % {"length": column.max_length},
            }
        if rule:
            rule.setdefault("error_title", column.header)
            worksheet.data_validation(1, position, EXCEL_ROWS - 1, position, rule)

    def guide(self):
        """The first sheet of the registry's template: how to fill the file, then every column of every sheet."""
        worksheet = self.book.add_worksheet(GUIDE)
        worksheet.set_column(0, 0, 14)
        worksheet.set_column(1, 1, 26)
        worksheet.set_column(2, 2, 8)
        worksheet.set_column(3, 3, 90, self.wrap)
        worksheet.write_string(0, 0, _("农户数据导入模板 · 填写说明"), self.bold)
        row = 1
        for number, text in enumerate(_instructions(), start=1):
            worksheet.write_string(row, 0, f"{number}.")
            worksheet.write_string(row, 1, text)
            row += 1
        row += 1
        for position, title in enumerate((_("工作表"), _("列名"), _("必填"), _("填写说明"))):
            worksheet.write_string(row, position, title, self.header)
        for sheet in sheets(self.book_name):
            optional, history = sheet.household_columns, sheet.event_columns
            for column in (*sheet.columns, *optional, *history):
                row += 1
                where = sheet.title
                if column in optional:
                    where = _("%(sheet)s（可选的农户列）") % {"sheet": sheet.title}
                elif column in history:
                    where = _("%(sheet)s（可选的状态历史列，转为状态变更）") % {"sheet": sheet.title}
                worksheet.write_string(row, 0, where)
                worksheet.write_string(row, 1, column.header)
                worksheet.write_string(row, 2, YES if column.required else "")
                worksheet.write_string(row, 3, describe(column, sheet), self.wrap)
        worksheet.activate()
        return worksheet

    def close(self) -> None:
        """Adds the hidden code sheet (last, so data sheets keep their places) and writes the workbook."""
        worksheet = self.book.add_worksheet(CODE_LIST)
        for position, column in self._lists.values():
            worksheet.write_string(0, position, f"【{column.header}】")
            for row, (_code, label) in enumerate(column.choices, start=1):
                worksheet.write_string(row, position, label)
        worksheet.hide()
        self.book.close()


def _instructions() -> list[str]:
    members = MEMBERS.title
    titles = "".join(f"“{sheet.title}”" for sheet in sheets(BOOK))
    return [
        _("本文件有%(titles)s%(count)s张表，可以只填其中一张或几张，用不到的表可以删除或留空。")
        % {"titles": titles, "count": len(sheets(BOOK))},
        _("第一行是列名，列名不能改；列的顺序可以调整，用不到的列可以删除，多出的列（如“序号”“备注”）导入时忽略。"),
        _("红色列名是新建记录时必填的列。把鼠标停在列名上，可以看到这一列怎么填（也见下表）。"),
        _("代码类的列可以从下拉列表选名称，也可以填代码（如“01”）；“是/否”列填“是”或“否”。"),
        _("日期写成 2021-03-05，也可写 2021/3/5、2021年3月5日 或 20210305；金额以元为单位，最多两位小数。"),
        _(
            "证件号码、户编号、联系电话、银行账号、行政区划代码必须是文本：模板中这些列已设为文本格式。"
            "从其他表格复制时请用“选择性粘贴→数值”，不要让Excel把号码变成科学计数法。"
        ),
        _(
            "按“户编号”识别农户，按“户编号＋证件号码”识别家庭成员，按“户编号＋年度”识别收入台账："
            "系统中已有的记录被更新，没有的新建。"
        ),
        _(
            "按“户编号＋证件号码＋变动类型＋日期”识别成员变动（已登记的同一变动再导入不会重复登记），"
            "按“户编号＋年度”识别生产生活条件，按“区划代码＋年度”识别农村户籍人口和村基础设施。"
        ),
        _("更新已有记录时，空白单元格表示“不修改”；新建记录时，空白单元格取默认值（见各列说明）。"),
        _(
            "“%(members)s”表也可以带上农户的列（行政区划代码、户主姓名、户类型等，见下表“可选的农户列”），"
            "这样一张花名册就能同时建户和登记成员。"
        )
        % {"members": members},
        _(
            "导入时先逐行检查，只要有一处错误，整个文件都不导入，并给出错误清单（工作表、行号、列名、填写内容、原因）；"
            "改正后重新导入即可。"
        ),
        _(
            "只能导入本人管辖区域内的农户。人均纯收入等由系统计算，不用填写；导出文件中灰色列名的列仅供查看，导入时忽略。"
        ),
    ]


def write_template(stream) -> None:
    """The import template (.xlsx) into `stream` (a path or a binary file object): the guide, then one empty
    sheet per kind of record with its header laid out."""
    layout = Layout(stream)
    layout.guide()
    for sheet in sheets(BOOK):
        layout.data_sheet(sheet, sheet.columns)
    layout.close()


def write_sheet_template(stream, sheet: Sheet) -> None:
    """The template of one sheet of any book (a department's dataset): its header laid out, each column's note on
    its header cell, code lists as drop-downs; no registry guide."""
    layout = Layout(stream, book=sheet.book)
    layout.data_sheet(sheet, sheet.columns)
    layout.close()
