"""The people workbook imported all or nothing: exchange reads and checks the cells (kinds, code lists, dates, in
Chinese with row and column, as for the registry); then every row goes through services.people in one
transaction, and a row a service refuses becomes an error on the column of the field it names. One error
anywhere and nothing is written; a clean file leaves each record's own audit entry and one IMPORT entry.

    import_people(user, source, filename, via="ui") -> Outcome

The files are a county's few thousand cadres at most: rows are written one by one through the services, which
keeps every rule in one place."""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.areas.models import Area
from fupin.core.errors import DomainError, NotFound
from fupin.exchange.reading.base import column_letter, display_name
from fupin.exchange.reading.file import read_file
from fupin.exchange.template import Layout
from fupin.exchange.validation import add_errors, create_error_table, ident, normalise, q

from ..codes import SetPart
from ..models import Cadre, TeamMember, Unit, WorkTeam
from ..sheets import BOOK, CADRES, SET_POSTS, SHEETS, TEAMS, UNITS
from . import people
from .common import KEEPERS, require_role

#: the service's field names that differ from the sheet's column names
FIELD_COLUMNS = {"area_code": "area", "village_code": "village", "cadre": "member", "joined_on": "joined_on"}


@dataclass
class Outcome:
    filename: str
    counts: dict[str, int] = field(default_factory=dict)  # sheet title → records written
    errors: list[dict] = field(default_factory=list)  # sheet, row, header, letter, value, reason

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def write_people_template(stream) -> None:
    """The empty workbook: one sheet per kind of record, code lists as drop-downs."""
    layout = Layout(stream, book=BOOK)
    for sheet in SHEETS:
        layout.data_sheet(sheet, sheet.columns)
    layout.close()


def import_people(user, source, filename: str, *, via: str = "ui") -> Outcome:
    """Read the workbook (a path or a binary file object) and write it through the services, all or nothing."""
    require_role(user, KEEPERS, _("导入帮扶干部数据"))
    filename = display_name(filename)
    scratch = Path(tempfile.mkdtemp(prefix="people-"))
    con = duckdb.connect()
    try:
        path = scratch / ("upload.xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else "upload.csv")
        data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source.read()
        path.write_bytes(data)
        con.execute(f"SET temp_directory = {q(str(scratch))}")
        tables = read_file(path, filename, con, book=BOOK)
        create_error_table(con)
        staged = []
        for table in sorted(tables, key=lambda t: SHEETS.index(t.sheet)):
            norm = normalise(con, table, timezone.localdate())
            _required(con, table, norm)
            staged.append((table, norm))
        outcome = Outcome(filename)
        outcome.errors = [
            dict(zip(("sheet", "row", "header", "letter", "value", "reason"), row))
            for row in con.execute("SELECT * FROM errors ORDER BY sheet, _row, letter").fetchall()
        ]
        if outcome.errors:
            return outcome
        rows = [(table, _rows(con, table, norm)) for table, norm in staged]
        # a village's batches in the order they arrived, whatever the file's order: each ends the one before it
        rows = [(t, sorted(r, key=lambda x: x["started_on"]) if t.sheet is TEAMS else r) for t, r in rows]
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)
    try:
        with transaction.atomic():
            writer = _Writer(user, "import", outcome)  # each record "import", the file entry the caller's via
            for table, records in rows:
                for record in records:
                    writer.row(table, record)
            if outcome.errors:
                raise _Rollback
            audit.record(
                user,
                Action.IMPORT,
                model="assistance.import",
                object_id=hashlib.sha256(data).hexdigest()[:16],
                area_code=user.area_id or "",
                changes={"file": filename, "sha256": hashlib.sha256(data).hexdigest(), "counts": outcome.counts},
                via=via,
            )
    except _Rollback:
        outcome.counts = {}
    return outcome


def _required(con, table, norm) -> None:
    for column in table.sheet.columns:
        if column.required and column.name in table.columns:
            add_errors(
                con,
                table,
                f"SELECT _row, '' AS value, {q(_('必填，不能为空'))} AS reason FROM {norm} "
                f"WHERE {ident(column.name)} IS NULL",
                column.header,
            )
        if column.kind == "int" and column.low is not None and column.name in table.columns:
            reason = _("应在%(low)s到%(high)s之间") % {"low": column.low, "high": column.high}
            add_errors(
                con,
                table,
                f"SELECT _row, {ident(column.name)} AS value, {q(reason)} AS reason FROM {norm} "
                f"WHERE CAST({ident(column.name)} AS BIGINT) NOT BETWEEN {int(column.low)} AND {int(column.high)}",
                column.header,
            )


def _rows(con, table, norm) -> list[dict]:
    """The normalised rows as Python values (dates, ints, booleans), defaults for blank cells."""
    names = [c.name for c in table.sheet.columns]
    result = []
    for values in con.execute(f"SELECT _row, {', '.join(map(ident, names))} FROM {norm} ORDER BY _row").fetchall():
        record = {"_row": values[0]}
        for column, value in zip(table.sheet.columns, values[1:]):
            if value is None:
                value = column.default
            elif column.kind == "date":
                value = date.fromisoformat(value)
            elif column.kind == "int":
                value = int(value)
            elif column.kind == "bool":
                value = value == "true"
            record[column.name] = value
        result.append(record)
    return result


class _Writer:
    """Writes one row at a time; a refusal becomes the row's error on the column it names."""

    def __init__(self, user, via, outcome: Outcome):
        self.user, self.via, self.outcome = user, via, outcome

    def row(self, table, record):
        handler = {UNITS: self.unit, CADRES: self.cadre, TEAMS: self.team, SET_POSTS: self.set_post}[table.sheet]
        try:
            with transaction.atomic():
                if handler(record):
                    self.outcome.counts[table.title] = self.outcome.counts.get(table.title, 0) + 1
        except DomainError as error:
            name = FIELD_COLUMNS.get(error.field or "", error.field or "")
            self.error(table, record, name, error.message)

    def error(self, table, record, name, reason):
        column = next((c for c in table.sheet.columns if c.name == name), None)
        position = table.columns.get(name) if column else None
        value = record.get(name) if column else ""
        self.outcome.errors.append(
            {
                "sheet": table.title,
                "row": record["_row"],
                "header": column.header if column else "",
                "letter": column_letter(position) if position is not None else "",
                "value": "" if value is None else str(value),
                "reason": reason,
            }
        )

    # ── lookups: a name among the records that serve the area ──────────────────────────────────────────────────

    def _area(self, code, name) -> Area:
        area = Area.objects.restrict(self.user).filter(code=code).first()
        if area is None:
            raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": code}, field=name)
        return area

    def _unit(self, name, area: Area, field="unit"):
        if not name:
            return None
        found = [u for u in Unit.objects.filter(name=name) if people.serves(self.user, u.area_id, area)]
        if not found:
            raise DomainError(_("未找到帮扶单位“%(name)s”，请先在“帮扶单位”表中登记") % {"name": name}, field=field)
        return max(found, key=lambda u: len(u.area_id.rstrip("0")))  # the nearest: a village's own before the county's

    def _cadre(self, name, phone, area: Area, field):
        candidates = Cadre.objects.filter(name=name, **({"phone": phone} if phone else {}))
        found = [c for c in candidates if people.serves(self.user, c.area_id, area)]
        if not found:
            raise DomainError(_("未找到干部“%(name)s”，请先在“帮扶干部”表中登记") % {"name": name}, field=field)
        if len(found) > 1:
            raise DomainError(
                _("有%(n)d名干部叫“%(name)s”，请填写电话加以区分") % {"n": len(found), "name": name}, field=field
            )
        return found[0]

    # ── the sheets ──────────────────────────────────────────────────────────────────────────────────────────────

    def unit(self, r) -> bool:
        area = self._area(r["area"], "area")
        if Unit.objects.filter(area=area, name=(r["name"] or "").strip()).exists():
            return False  # already registered: a re-import changes nothing
        people.create_unit(
            self.user, area_code=area.code, name=r["name"], kind=r["kind"], contact=r["contact"] or "",
            phone=r["phone"] or "", via=self.via,
        )  # fmt: skip
        return True

    def cadre(self, r) -> bool:
        area = self._area(r["area"], "area")
        fields = {name: r[name] for name in people.CADRE_FIELDS if name != "unit"}
        fields = {name: ("" if value is None else value) for name, value in fields.items()}
        fields["unit"] = self._unit(r["unit"], area)
        existing = None
        if fields["phone"]:
            existing = Cadre.objects.filter(unit=fields["unit"], name=r["name"], phone=fields["phone"]).first()
        if existing is not None:
            if all(getattr(existing, name) == value for name, value in fields.items()):
                return False
            people.update_cadre(self.user, existing, via=self.via, **fields)
            return True
        people.create_cadre(self.user, area_code=area.code, via=self.via, **fields)
        return True

    def team(self, r) -> bool:
        village = self._area(r["village"], "village")
        team = WorkTeam.objects.filter(village=village, batch=r["batch"]).first()
        wrote = False
        if team is None:
            team = people.create_team(
                self.user, village_code=village.code, batch=r["batch"], started_on=r["started_on"],
                ended_on=r["ended_on"], unit=self._unit(r["unit"], village), via=self.via,
            )  # fmt: skip
            wrote = True
        if r["member"]:
            cadre = self._cadre(r["member"], r["phone"], village, "member")
            if not TeamMember.objects.filter(team=team, cadre=cadre).exists():
                people.add_team_member(
                    self.user, team, cadre, role=r["role"], joined_on=r["joined_on"] or team.started_on, via=self.via
                )
                wrote = True
        return wrote

    def set_post(self, r) -> bool:
        village = self._area(r["village"], "village")
        part = r["part"]
        if part == SetPart.UNIT:
            holder = {"unit": self._unit(r["holder"], village, "holder")}
        else:
            holder = {"cadre": self._cadre(r["holder"], r["phone"], village, "holder")}
        current = people.set_post_on(village.code, part, r["started_on"])
        if current is not None and current.started_on == r["started_on"]:
            if all(getattr(current, f"{name}_id") == value.pk for name, value in holder.items()):
                return False
        try:
            people.post_to_set(
                self.user, village_code=village.code, part=part, started_on=r["started_on"], via=self.via, **holder
            )
        except DomainError as error:
            if error.field in ("cadre", "unit"):
                error.field = "holder"
            raise
        return True


def template_bytes() -> bytes:
    stream = io.BytesIO()
    write_people_template(stream)
    return stream.getvalue()
