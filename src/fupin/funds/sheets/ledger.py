"""The ledger topic's sheets (book "funds-ledger"): a county's yearly budgets, and allocation batches as two sheets —
the document's totals by source (one row a source of a batch) and its lines (one row a line) — pure declarations,
registered with exchange in hooks/ledger.py. Exchange reads and checks the cells (row and column in every message);
services.ledger_import turns the rows into the services' calls, all rows or none. Amounts in 万元 are read as text
so that the service reads them exactly (four decimals, never a float)."""

from fupin.core.sheets import Column, Sheet

from .. import codes
from ..models import BatchSource, Budget, Transfer

BOOK = "funds-ledger"

SOURCE = Column("source_name", "资金名称", "text", max_length=80, required=True, aliases=("资金来源",))
YEAR = Column("year", "年度", "int", low=2000, high=2100, required=True)
NUMBER = Column("number", "批次序号", "int", low=1, high=99, required=True, aliases=("批次",))  # 批次 is also a team's


def _codes(choices) -> tuple:
    """A code list as the file holds it: the code and its Chinese label (the workbook's drop-down)."""
    return tuple((code, str(label)) for code, label in choices)


def _wan(name, header, *aliases, required=True):
    return Column(name, header, "text", max_length=24, required=required, aliases=aliases)


BUDGETS = Sheet(
    kind="funds_budgets",
    title="年度预算",
    model=Budget,
    book=BOOK,
    key=("source_name", "year"),
    identified_by=("amount",),  # a CSV holds one sheet, known by its headers
    columns=(
        SOURCE,
        YEAR,
        _wan("amount", "预算金额（万元）", "预算金额", "金额（万元）"),
        Column("document_no", "文号", "text", max_length=80),
        Column("document_date", "下达日期", "date", required=True),
    ),
)
BATCH_SOURCES = Sheet(
    kind="funds_batch_sources",
    title="批次文件金额",
    model=BatchSource,
    book=BOOK,
    key=("year", "number", "source_name"),
    identified_by=("declared",),
    precedence=1,
    columns=(
        YEAR,
        NUMBER,
        Column("title", "批次名称", "text", max_length=120, required=True),
        Column("document_no", "文号", "text", max_length=80),
        Column("document_date", "印发日期", "date", required=True),
        SOURCE,
        _wan("declared", "文件金额（万元）", "文件金额"),
        _wan("advanced", "其中提前下达（万元）", "其中提前下达", required=False),
        Column("advanced_year", "提前下达年度", "int", low=2000, high=2100),
    ),
)
BATCH_LINES = Sheet(
    kind="funds_batch_lines",
    title="批次分配明细",
    model=Transfer,
    book=BOOK,
    key=("year", "number", "source_name", "category"),
    identified_by=("category", "to_area_code"),
    precedence=2,  # its 金额 column names the budgets' too
    columns=(
        YEAR,
        NUMBER,
        SOURCE,
        Column("category", "资金用途", "code", choices=_codes(codes.UseCategory.choices), required=True),
        Column("to_area_code", "接收单位区划代码", "text", max_length=12, required=True, aliases=("接收单位代码",)),
        Column("to_department", "接收部门", "code", choices=_codes(codes.Department.choices)),
        _wan("amount", "金额（万元）", "金额"),
    ),
)
SHEETS = (BUDGETS, BATCH_SOURCES, BATCH_LINES)
