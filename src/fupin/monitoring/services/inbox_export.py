"""An inbox as a file (CSV or Excel): the rows its page lists, masked, the export audited like every other."""

import csv
import io
from datetime import date

import xlsxwriter
from django.db import transaction
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import BadRequest

from ..tables import risk_labels

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: an export is of one box, never of a whole county's history: a box holds open work only
MAX_ROWS = 100_000


def _clue_rows(clues):
    yield [_("编号"), _("行政村"), _("户编号"), _("户主/申报人"), _("发现渠道"), _("风险类型"), _("发现日期"),
           _("受理期限"), _("受理状态")]  # fmt: skip
    for clue in clues.select_related("village", "household")[:MAX_ROWS]:
        household = clue.household
        yield [
            f"X{clue.pk}",
            clue.village.name,
            household.number if household else "",
            household.head_name if household else clue.person_name,
            clue.get_channel_display(),
            risk_labels(clue.risk_types),
            clue.reported_on.isoformat(),
            clue.accept_due.isoformat(),
            clue.get_state_display(),
        ]


def _case_rows(cases):
    yield [_("编号"), _("行政村"), _("户编号"), _("户主"), _("事项"), _("当前环节"), _("主要风险类型"),
           _("本环节期限"), _("办结期限")]  # fmt: skip
    for case in cases.select_related("village", "household")[:MAX_ROWS]:
        yield [
            f"J{case.pk}",
            case.village.name,
            case.household.number if case.household else "",
            case.household.head_name if case.household else "",
            case.get_kind_display(),
            case.get_step_display(),
            case.get_risk_type_display(),
            case.step_due.isoformat(),
            case.due_on.isoformat(),
        ]


def export_box(user, box, items, *, fmt: str, filters: dict, today: date, via: str = "ui") -> tuple[bytes, str, str]:
    """(content, filename, content type) of the box's filtered items; the export is audited with the filters."""
    if fmt not in FORMATS:
        raise BadRequest(_("导出格式只能是 csv 或 xlsx"))
    rows = list(_clue_rows(items) if box.clues else _case_rows(items))
    with transaction.atomic():
        audit.record(
            user,
            Action.EXPORT,
            model="monitoring.clue" if box.clues else "monitoring.case",
            area_code=getattr(user, "area_id", "") or "",
            changes={"box": box.name, "filters": filters, "rows": len(rows) - 1, "format": fmt},
            via=via,
        )
    filename = f"monitoring-{box.name}-{today.isoformat()}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return ("\ufeff" + out.getvalue()).encode(), filename, FORMATS[fmt]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet(str(box.title)[:31])
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    book.close()
    return out.getvalue(), filename, FORMATS[fmt]
