"""The measure lists other offices send (book "assistance-measures"): a bank's micro-loans, HR's posts, and
measures of any kind — pure declarations, registered with exchange in hooks.connect(). Exchange reads and checks
the cells (row and column in every message); services.measure_import finds each row's household in the
uploader's area and records the measure through services.measures, all rows or none."""

from fupin.core.sheets import Column, Sheet

from . import codes
from .models import Measure

BOOK = "assistance-measures"  # its own book: the people workbook's template and reader stay its own

HOUSEHOLD = Column("household_number", "户编号", "text", max_length=30, required=True)
STARTED = Column("started_on", "开始日期", "date", required=True)
COMMON = (
    HOUSEHOLD,
    Column("subtype", "具体措施", "text", max_length=60),
    Column("amount", "金额（元）", "money", aliases=("金额",)),
    Column("status", "落实状态", "code", choices=tuple(codes.MeasureStatus.choices)),
    Column("ended_on", "结束日期", "date"),
    Column("note", "备注说明", "text", max_length=200),
)


def _sheet(kind: str, title: str, *columns: Column, identified_by=()) -> Sheet:
    return Sheet(
        kind=f"measures_{kind}",
        title=title,
        model=Measure,
        book=BOOK,
        key=("household_number",),
        columns=(*COMMON, *columns),
        identified_by=identified_by,
    )


MEASURE_SHEETS = {
    codes.MeasureKind.GENERAL: _sheet(
        "general",
        "帮扶措施",
        Column("category", "措施类别", "code", choices=tuple(codes.MeasureCategory.choices), required=True),
        STARTED,
        identified_by=("category",),
    ),
    codes.MeasureKind.MICRO_LOAN: _sheet(
        "micro_loan",
        "小额信贷",
        Column("loan_amount", "贷款金额（元）", "money", aliases=("贷款金额",), required=True),
        Column("loan_date", "放款日期", "date", required=True),
        Column("loan_term_months", "贷款期限（月）", "int", low=1, high=600, aliases=("贷款期限",), required=True),
        Column("loan_interest_subsidy", "贴息金额（元）", "money", aliases=("贴息金额",), required=True),
        Column("loan_balance", "贷款余额（元）", "money", aliases=("贷款余额",), required=True),
        Column("loan_overdue", "逾期", "bool"),
        identified_by=("loan_amount",),
    ),
    codes.MeasureKind.PUBLIC_POST: _sheet(
        "public_post",
        "公益性岗位",
        Column("post_type", "岗位类型", "code", choices=tuple(codes.PostType.choices), required=True),
        Column("post_months", "在岗月数", "int", low=0, high=99, required=True),
        Column("post_monthly_pay", "月工资（元）", "money", aliases=("月工资",), required=True),
        STARTED,
        identified_by=("post_type",),
    ),
}
