"""The area's measure list as an Excel file: the rows the page lists (no sensitive field in them), the export
audited with its filters like every other export (monitoring's inbox export is the pattern)."""

import io

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: a county's measures fit; a larger export goes through the registry's export jobs
MAX_ROWS = 200_000


def _rows(measures):
    yield [_("行政村"), _("户编号"), _("户主"), _("措施类别"), _("措施种类"), _("具体措施"), _("开始日期"),
           _("结束日期"), _("金额（元）"), _("落实状态"), _("受益成员"), _("责任干部"), _("贷款金额（元）"),
           _("贷款余额（元）"), _("逾期"), _("岗位类型"), _("在岗月数"), _("月工资（元）"), _("学段"),
           _("补贴标准"), _("标准档次"), _("月标准（元）")]  # fmt: skip
    related = ("village", "household", "member", "cadre")
    for m in measures.select_related(*related)[:MAX_ROWS]:
        yield [
            m.village.name,
            m.household.number,
            m.household.head_name,
            m.get_category_display(),
            m.get_kind_display(),
            m.subtype,
            m.started_on.isoformat(),
            m.ended_on.isoformat() if m.ended_on else "",
            m.amount,
            m.get_status_display(),
            m.member.name if m.member_id else "",
            m.cadre.name if m.cadre_id else "",
            m.loan_amount,
            m.loan_balance,
            _("是") if m.loan_overdue else "",
            m.get_post_type_display() if m.post_type else "",
            m.post_months,
            m.post_monthly_pay,
            m.get_education_stage_display() if m.education_stage else "",
            m.standard_code,
            m.standard_level,
            m.standard_monthly,
        ]


def export_measures(user, measures, *, filters: dict, via: str = "ui") -> tuple[bytes, str, str]:
    """(content, filename, content type) of the filtered measures, audited as an EXPORT with the filters."""
    rows = list(_rows(measures))
    with transaction.atomic():
        audit.record(
            user,
            Action.EXPORT,
            model="assistance.measure",
            area_code=getattr(user, "area_id", "") or "",
            changes={"filters": filters, "rows": len(rows) - 1, "format": "xlsx"},
            via=via,
        )
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("帮扶措施"))
    money = book.add_format({"num_format": "0.00"})
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is None:
                continue
            if hasattr(value, "as_tuple"):  # Decimal: a number in the sheet, to the fen
                sheet.write_number(index, column, float(value), money)
            elif isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    sheet.autofilter(0, 0, max(len(rows) - 1, 0), len(rows[0]) - 1)
    book.close()
    return out.getvalue(), f"帮扶措施-{timezone.localdate():%Y%m%d}.xlsx", CONTENT_TYPE
