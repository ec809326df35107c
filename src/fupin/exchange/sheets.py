"""The sheets exchange reads, validates, templates and exports: each app registers its own, so exchange imports no
app above it.

An app declares its sheets with fupin.core.sheets' types and calls `register` in its AppConfig.ready(). The
registry sits below exchange and cannot call it, so exchange registers the registry's sheets (registry/sheets.py)
in its own ready(). Sheets of one `book` travel together: one template, one import file, one export workbook.
"""

from fupin.core.sheets import Sheet

_SHEETS: dict[str, Sheet] = {}

#: headers of no sheet that forms carry for people, not for us
IGNORED_QUIETLY = ("序号", "行号", "备注", "原行号", "错误说明")


def register(*sheets: Sheet) -> None:
    """Adds sheets, in the order their workbooks list them. A kind is registered once (a second one is a bug)."""
    for sheet in sheets:
        if _SHEETS.get(sheet.kind, sheet) is not sheet:
            raise ValueError(f"sheet kind {sheet.kind!r} is registered twice")
        _SHEETS[sheet.kind] = sheet


def sheets(book: str | None = None) -> tuple[Sheet, ...]:
    """The registered sheets in registration order; those of one book only when it is named."""
    return tuple(sheet for sheet in _SHEETS.values() if book is None or sheet.book == book)


def sheet(kind: str) -> Sheet | None:
    """The registered sheet of this kind, or None."""
    return _SHEETS.get(kind)
