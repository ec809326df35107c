"""Projects from a spreadsheet (a township's or the county's library kept in Excel): exchange reads and checks the
cells (sheets/projects.py), each row is filed as a proposal through services.projects.propose — at the step its
level enters the procedure, like one typed in — in one transaction, so a file with any wrong row writes nothing
and the refusal lists each wrong row and column. Targets are "指标：目标值" and funding "来源名称：金额" items
separated by "；", households their 户编号 separated by "、" or "；"."""

import re
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

from ..models import FundSource
from ..sheets.projects import BOOK, PROJECTS
from .common import FundsRefused, require_role
from .projects import propose

#: who imports a library: the county's and townships' clerks
IMPORTERS = frozenset({"county_admin", "township"})
_ITEMS = re.compile(r"[；;\n]+")
_PAIR = re.compile(r"\s*(.+?)\s*[：:]\s*(.+?)\s*$")
_NUMBERS = re.compile(r"[、，,；;\s]+")


def _typed(column, value):
    if value is None or column.kind != "date":
        return int(value) if value is not None and column.kind == "int" else value
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _pairs(text, what: str) -> list[tuple[str, str]]:
    found = []
    for item in _ITEMS.split(str(text or "")):
        if not item.strip():
            continue
        match = _PAIR.match(item)
        if match is None:
            raise FundsRefused(_("%(what)s“%(item)s”应写成“名称：数值”") % {"what": what, "item": item.strip()})
        found.append(match.groups())
    return found


def _arguments(row: dict, sources: dict) -> dict:
    """The row as propose() takes it."""
    args = {k: v for k, v in row.items() if k not in ("_row", "targets", "funding", "households", "way")}
    args["targets"] = [{"indicator": i, "target": t} for i, t in _pairs(row.get("targets"), _("绩效目标"))]
    funding = []
    for name, amount in _pairs(row.get("funding"), _("资金筹措")):
        source = sources.get(name)
        if source is None:
            raise FundsRefused(_("资金来源“%(name)s”不是本县登记的资金来源") % {"name": name}, field="funding")
        funding.append({"source_id": source.pk, "amount": amount})
    args["funding"] = funding
    numbers = [n for n in _NUMBERS.split(str(row.get("households") or "")) if n]
    if numbers and not row.get("way"):
        raise FundsRefused(_("列出受益农户时须填写带动方式"), field="way")
    args["beneficiaries"] = [{"household_number": n, "way": row.get("way")} for n in numbers]
    return {k: ("" if v is None and k in ("code", "department", "implementer", "content", "benefit_mechanism") else v)
            for k, v in args.items()}  # fmt: skip


def import_projects(user, path, *, filename: str = "", via: str = "import") -> int:
    """File every row of the library sheet as a proposal; returns how many. Refuses (writing nothing) a user who
    may not import, a file without the sheet, and any wrong row, listing each with its row and column."""
    require_role(user, IMPORTERS, _("导入项目库"))
    path = Path(path)
    filename = display_name(filename or path.name)
    with staging.scratch_connection("projects-") as con:
        tables = [t for t in read_file(path, filename, con, book=BOOK) if t.sheet.kind == PROJECTS.kind]
        if not tables:
            raise FundsRefused(_("“%(file)s”中没有“扶贫项目库”工作表（或缺少其表头）") % {"file": filename})
        create_error_table(con)
        staged, errors = [], []
        for table in tables:
            norm = normalise(con, table, timezone.localdate())
            errors += staging.cell_errors(con, table, norm, refuse=FundsRefused)
            staged.append((table, staging.staged_rows(con, table, norm, _typed, present_only=True)))
        if errors:
            staging.refuse_import(errors, FundsRefused)
        return _write(user, staged, filename, via)


def _column_of(table, field: str) -> str:
    """ "投资估算（万元）（L 列）" for the field a refusal names, where the file has that column."""
    wanted = {"beneficiaries": "households", "area_code": "area_code"}.get(field, field)
    if wanted not in table.columns:
        return ""
    return f"{table.sheet.column(wanted).header}（{staging.letter_of(table, wanted)} 列）"


@transaction.atomic
def _write(user, staged, filename: str, via: str) -> int:
    count, errors, areas = 0, [], set()
    sources = {s.name: s for s in FundSource.objects.restrict(user)}
    for table, rows in staged:
        for row in rows:
            try:
                with transaction.atomic():
                    areas.add(propose(user, via=via, **_arguments(row, sources)).area_id)
            except DomainError as error:
                where = _column_of(table, error.field or "")
                errors.append(
                    _("第 %(row)s 行%(where)s：%(message)s")
                    % {"row": row["_row"], "where": f" {where}" if where else "", "message": error.message}
                )
            else:
                count += 1
    if errors:
        staging.refuse_import(errors, FundsRefused)  # inside the transaction: all rolled back
    # filed under the one area the rows are all in (a village's list), else the importer's own
    area_code = areas.pop() if len(areas) == 1 else getattr(user, "area_id", "") or ""
    audit.record(user, Action.IMPORT, model="funds.project", area_code=area_code,
                 changes={"file": filename, "rows": count}, via=via)  # fmt: skip
    return count
