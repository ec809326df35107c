"""Assets from a spreadsheet (a village's or the county's old asset ledger): exchange reads and checks the cells
(sheets/assets.py), and every row goes through services.assets (create_asset, or create_from_project for a row
naming its project's 编号) — in one transaction, so a file with any wrong row writes nothing and the refusal lists
each wrong row and column."""

from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import DomainError
from fupin.exchange import staging
from fupin.exchange.reading.base import display_name
from fupin.exchange.reading.file import read_file
from fupin.exchange.validation import create_error_table, normalise

from .. import codes
from ..models import Project
from ..sheets.assets import ASSET_SHEET, BOOK
from .assets import create_asset
from .common import FundsRefused, require_role

RIGHT_COLUMNS = ("operation", "income", "supervision")
HEADERS = {c.name: c.header for c in ASSET_SHEET.columns}
HEADERS["project"] = HEADERS["project_code"]  # a project's refusal (not accepted) names its column


def _typed(column, value):
    if value is None or column.kind != "date":
        return value
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _record(user, row: dict, via: str):
    fields = {k: v for k, v in row.items() if k != "_row" and v not in (None, "")}
    rights = {name: fields.pop(name) for name in RIGHT_COLUMNS if name in fields}
    if rights:
        fields["rights"] = rights
    project_code = fields.pop("project_code", None)
    project = None
    if project_code:
        project = Project.objects.restrict(user).filter(code=project_code).first()
        if project is None:
            raise FundsRefused(_("未找到项目编号“%(code)s”") % {"code": project_code}, field="project_code")
    return create_asset(user, project=project, via=via, **fields)


def import_assets(user, path, *, filename: str = "", via: str = "import") -> int:
    """Record every row of the file's asset sheet; returns the rows recorded. Refuses (writing nothing) a user who
    is not a keeper of assets, a file without the sheet, and any wrong row, listing them."""
    require_role(user, codes.ASSET_KEEPERS, _("导入资产"))
    path = Path(path)
    filename = display_name(filename or path.name)
    with staging.scratch_connection("assets-") as con:
        tables = [t for t in read_file(path, filename, con, book=BOOK) if t.sheet.kind == ASSET_SHEET.kind]
        if not tables:
            raise FundsRefused(_("“%(file)s”中没有“扶贫项目资产”工作表") % {"file": filename})
        create_error_table(con)
        staged, errors = [], []
        for table in tables:
            norm = normalise(con, table, timezone.localdate())
            errors += staging.cell_errors(con, table, norm, refuse=FundsRefused)
            staged += staging.staged_rows(con, table, norm, _typed)
        if errors:
            staging.refuse_import(errors, FundsRefused)
        return _write(user, staged, filename, via)


@transaction.atomic
def _write(user, rows, filename: str, via: str) -> int:
    errors, done = [], 0
    for row in rows:
        try:
            with transaction.atomic():
                _record(user, row, via)
        except DomainError as error:
            header = HEADERS.get(error.field or "", "")
            where = f"{header}：" if header else ""
            errors.append(_("第 %(row)s 行 %(where)s%(message)s") % {"row": row["_row"], "where": where,
                                                                  "message": error.message})  # fmt: skip
        else:
            done += 1
    if errors:
        staging.refuse_import(errors, FundsRefused)  # inside the transaction: all rolled back
    audit.record(user, Action.IMPORT, model="funds.asset", area_code=getattr(user, "area_id", "") or "",
                 changes={"file": filename, "rows": done}, via=via)  # fmt: skip
    return done
