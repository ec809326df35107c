"""Masking of personal data: ID numbers, phones, bank accounts, health status.

Masked forms keep just enough to recognise a record on a call (region digits, last digits) and never
enough to use it.
"""

from .roles import MASKED_AS, SENSITIVE_FIELDS

MASK = "*"


def mask_value(field: str, value) -> str:
    """`field` names a sensitive field or a masking rule; a field that contains an ID number (a disability
    certificate) is masked as one."""
    if value in (None, ""):
        return ""
    text = str(value)
    field = MASKED_AS.get(field, field)
    if field == "id_number":
        return text[:6] + MASK * (len(text) - 10) + text[-4:] if len(text) > 10 else MASK * len(text)
    if field == "phone":
        return text[:3] + MASK * (len(text) - 7) + text[-4:] if len(text) > 7 else MASK * len(text)
    if field == "bank_account":
        return MASK * (len(text) - 4) + text[-4:] if len(text) > 4 else MASK * len(text)
    return MASK * 3  # health and anything else: nothing at all


def hidden_from(viewer, field: str | None) -> bool:
    """A sensitive field that this viewer's role may not reveal (with no viewer: every sensitive field)."""
    return field in SENSITIVE_FIELDS and not (viewer is not None and viewer.may_reveal(field))


def shown(field: str, value, revealed: bool = False) -> str:
    """The value as a user sees it: masked unless this field has just been revealed (and audited)."""
    if field in SENSITIVE_FIELDS and not revealed:
        return mask_value(field, value)
    return "" if value is None else str(value)
