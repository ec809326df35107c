"""A check's list as an Excel file: the rows its page lists (household number, head, village, township, the
detail; never an ID number), the export audited like every other."""

import io
from datetime import date

import xlsxwriter
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fupin.accounts import audit
from fupin.accounts.models import Action

from .checks import check_of, run_check

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = {
    "households": (_("乡镇"), _("行政村"), _("户编号"), _("户主"), _("情况")),
    "cadres": (_("所属区划"), _("帮扶干部"), _("帮扶单位"), _("情况")),
    "villages": (_("乡镇"), _("行政村"), _("区划代码"), _("情况")),
}


def _cells(lists: str, row: dict) -> list:
    if lists == "households":
        return [row["township"], row["village"], row["number"], row["name"], row["detail"]]
    if lists == "cadres":
        return [row["village"], row["name"], row["number"], row["detail"]]
    return [row["township"], row["village"], row["number"], row["detail"]]


def export_check(user, code: str, on: date, *, area_code=None, via: str = "ui") -> tuple[bytes, str]:
    """(content, filename) of the check's rows on `on` in the user's area (or `area_code` inside it)."""
    check = check_of(code)
    rows = run_check(user, code, on, area_code=area_code)
    with transaction.atomic():
        audit.record(
            user,
            Action.EXPORT,
            model="assistance.check",
            area_code=area_code or getattr(user, "area_id", "") or "",
            changes={"check": code, "on": on.isoformat(), "area": area_code or "", "rows": len(rows), "format": "xlsx"},
            via=via,
        )
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet(str(check.label)[:31])
    sheet.write_row(0, 0, [str(header) for header in HEADERS[check.lists]])
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, _cells(check.lists, row))
    book.close()
    return out.getvalue(), f"assistance-{code}-{on.isoformat()}.xlsx"
