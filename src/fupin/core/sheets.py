"""What a spreadsheet of records is, with no domain in it: a sheet's columns, their headers and what each may hold.

An app declares its sheets with these types (the registry in registry/sheets.py) and registers them with exchange
(exchange.sheets.register), which reads, validates, templates and exports them. The types live here, below every
app, so that an app below exchange can declare sheets without importing it. Kinds say how a cell is read:

text  free text up to max_length          code  a code-list value or its label ("01" or "因病")
bool  是/否 (also 1/0, Y/N, √/×)           date  2021-03-05, 2021/3/5, 2021年3月5日, 20210305, Excel serials
int   whole number within [low, high]      money yuan, at most two decimals, not negative
id    GB 11643 ID number (registry.idcard) area  12-digit village code inside the uploader's area
when  a date as above, or a year alone (2016, 2016年): the year's convention date YEAR_ALONE, marked approximate
"""

from collections.abc import Callable
from dataclasses import dataclass, field

#: the (month, day) a year given alone stands for: the year's last day, by when that year's annual review
#: (动态调整) has recorded its identifications, exits and eliminations — so "as of 12-31" of the year counts them
YEAR_ALONE = (12, 31)


@dataclass(frozen=True)
class Column:
    name: str  # model field name
    header: str  # Chinese header, as in the template
    kind: str
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (code, label) for kind "code"
    max_length: int = 0
    low: int | None = None
    high: int | None = None
    default: object = None  # value a new record gets from an empty cell (None: the field stays empty/NULL)
    required: bool = False  # a new record needs a value
    model: type | None = None  # whose field it is: its rule is checked on import
    #: (model, name) → the field's rule (registry.values.rule for the registry's sheets); the owning app hands it in
    rules: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def rule(self):
        """The field's checks, read when asked so that a changed setting applies."""
        return self.rules(self.model, self.name) if self.model is not None and self.rules is not None else None

    @property
    def names(self) -> tuple[str, ...]:
        """Every header this column is recognised by."""
        return (self.header, *self.aliases, self.name)


@dataclass(frozen=True)
class Sheet:
    """One kind of record: e.g. households, members (each row may also carry its household) or yearly incomes."""

    kind: str  # households / members / incomes
    title: str  # sheet name in workbooks
    model: type
    key: tuple[str, ...]  # columns that identify a record: household number, ID number, year
    columns: tuple[Column, ...]
    household_columns: tuple[Column, ...] = ()  # a member roster row may carry its household's columns too
    #: columns read and validated with the sheet but stored as records of another kind, not as the record's
    #: fields (a household row's status history becomes status events)
    event_columns: tuple[Column, ...] = ()
    readonly: tuple[str, ...] = field(default=())  # headers fupin exports for reading only; ignored on import
    book: str = ""  # the workbook it belongs to: the book's template and import files hold its sheets together
    #: a file's sheet whose title names no sheet is this one when its headers hold any of these columns …
    identified_by: tuple[str, ...] = ()
    #: … and, when several sheets are identified so, the one with the highest precedence (a member roster carries
    #: its household's columns too, so members outrank households)
    precedence: int = 0

    def column(self, name: str) -> Column:
        return next(c for c in self.all_columns if c.name == name)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return (*self.columns, *self.household_columns, *self.event_columns)
