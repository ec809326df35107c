"""Loading the administrative tree from a CSV file (区划代码,名称) and reading a code's level."""

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core.errors import DomainError

from .models import PREFIX_LENGTH, Area, Level


class InvalidAreaCode(DomainError):
    code = "invalid_area_code"


def level_of(code: str) -> Level:
    """The level a statistical code denotes: trailing zero groups mark the higher levels."""
    if not code.isdigit() or len(code) not in (12, 15):
        raise InvalidAreaCode(
            _("区划代码“%(code)s”应为12位（村民小组15位）数字") % {"code": code}, details={"code": code}
        )
    if len(code) == 15:
        return Level.GROUP
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        if set(code[PREFIX_LENGTH[level] :]) == {"0"}:
            return level
    return Level.VILLAGE


def parent_code(code: str, level: Level) -> str | None:
    if level == Level.PROVINCE:
        return None
    if level == Level.GROUP:
        return code[:12]
    keep = PREFIX_LENGTH[Level(level - 1)]
    return code[:keep].ljust(12, "0")


HEADER_ALIASES = {"区划代码": "code", "code": "code", "代码": "code", "名称": "name", "name": "name"}


def load_areas_csv(source) -> int:
    """Create or rename the areas listed in a CSV (path or text stream); parents must precede children
    or already exist. All-or-nothing: a bad row aborts the whole file with its row number."""
    if isinstance(source, (str, bytes)) and not isinstance(source, io.IOBase):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return load_areas_csv(fh)
    reader = csv.reader(source)
    header = [HEADER_ALIASES.get(h.strip().lower(), h.strip()) for h in next(reader, [])]
    if "code" not in header or "name" not in header:
        raise InvalidAreaCode(_("区划文件第1行应有“区划代码”和“名称”两列"))
    ci, ni = header.index("code"), header.index("name")
    count = 0
    with transaction.atomic():
        known = set(Area.objects.values_list("code", flat=True))
        for rowno, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            code, name = row[ci].strip(), row[ni].strip()
            try:
                level = level_of(code)
            except InvalidAreaCode as exc:
                raise InvalidAreaCode(
                    _("第%(row)s行：%(message)s") % {"row": rowno, "message": exc.message}, details={"row": rowno}
                ) from None
            parent = parent_code(code, level)
            if parent is not None and parent not in known:
                raise InvalidAreaCode(
                    _("第%(row)s行：上级区划“%(parent)s”不存在，请先列出上级") % {"row": rowno, "parent": parent},
                    details={"row": rowno, "parent": parent},
                )
            Area.objects.update_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
            known.add(code)
            count += 1
    return count
