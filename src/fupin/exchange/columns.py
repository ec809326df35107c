"""The registry's sheets under the name the importer's and the tests' modules have long used: they are declared in
registry/sheets.py and registered in exchange.sheets; the types are fupin.core.sheets'."""

from fupin.core.sheets import Column, Sheet
from fupin.registry.sheets import HOUSEHOLDS, INCOMES, MEMBERS, SHEETS

from .sheets import IGNORED_QUIETLY

__all__ = ["HOUSEHOLDS", "IGNORED_QUIETLY", "INCOMES", "MEMBERS", "SHEETS", "Column", "Sheet"]
