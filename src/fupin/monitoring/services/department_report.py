"""The report back to a department: every row of its upload that was not matched to one registered person, or was
wrong, with the reason — never dropped. ID numbers are masked as the reader's role sees them (services.departments
says why); the row number and name find the row in the department's own file."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from fupin.accounts.masking import hidden_from, mask_value
from fupin.exchange.reading.base import Table
from fupin.exchange.template import WORKBOOK_OPTIONS

from ..department_models import DepartmentRow, DepartmentUpload

#: outcomes sent back to the department (matched rows, raised or not, are not its to fix)
REPORTED = ("unmatched", "ambiguous", "invalid")


def write_report(con, upload: DepartmentUpload, table: Table, *, viewer) -> bytes:
    """The .xlsx of the rows to send back, from the staged `matched` and `reasons` tables."""
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {**WORKBOOK_OPTIONS, "constant_memory": True, "in_memory": True})
    header = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
    text = book.add_format({"num_format": 49})
    sheet = book.add_worksheet(_("反馈清单"))
    titles = (_("原行号"), _("证件号码"), _("姓名"), _("结果"), _("原因"))
    for position, (title, width) in enumerate(zip(titles, (8, 24, 12, 26, 80))):
        sheet.set_column(position, position, width, text)
        sheet.write_string(0, position, title, header)
    labels = dict(DepartmentRow.Outcome.choices)
    default = {
        "unmatched": _("系统中没有该证件号码的在册人员（本区域内）"),
        "ambiguous": _("该证件号码对应多名在册人员，请核实后由县级管理员处理"),
    }
    masked = hidden_from(viewer, "id_number")
    result = con.cursor().execute(
        f"""SELECT m._row, m.id_given, m.name, m.outcome, r.reason FROM matched m LEFT JOIN reasons r USING (_row)
            WHERE m.outcome IN ({", ".join(f"'{o}'" for o in REPORTED)}) ORDER BY m._row"""
    )
    line = 0
    while rows := result.fetchmany(10_000):
        for row, given, name, outcome, reason in rows:
            line += 1
            sheet.write_number(line, 0, row)
            sheet.write_string(line, 1, mask_value("id_number", given) if masked else (given or ""))
            sheet.write_string(line, 2, name or "")
            sheet.write_string(line, 3, str(labels[outcome]))
            sheet.write_string(line, 4, reason or str(default.get(outcome, "")))
    if not line:
        sheet.write_string(1, 0, _("本次上传的数据全部匹配到在册人员，没有需要反馈的行"))
    book.close()
    return stream.getvalue()
