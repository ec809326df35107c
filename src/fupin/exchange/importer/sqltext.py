"""Messages and code labels as SQL expressions, for checks that build each row's reason in DuckDB."""

import re

from ..validation import q


def message(template: str, **exprs: str) -> str:
    """A translated message with named placeholders as SQL: its text as literals, each placeholder the SQL
    expression given for it (`message(_("不能“%(kind)s”"), kind="e.kind_label")`)."""
    parts = re.split(r"%\((\w+)\)s", template)
    sql = [f"CAST({exprs[p]} AS VARCHAR)" if i % 2 else q(p) for i, p in enumerate(parts) if i % 2 or p]
    return " || ".join(sql) or "''"


def labels(expr: str, choices) -> str:
    """SQL: the label of the code `expr` in the active language."""
    whens = " ".join(f"WHEN {q(str(code))} THEN {q(str(label))}" for code, label in choices)
    return f"CASE {expr} {whens} ELSE {expr} END"
