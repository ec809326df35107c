"""Test data helpers shared by every test module."""

from itertools import count

from fupin.registry.idcard import check_char

COUNTY = "149901000000"
TOWNSHIP_A, TOWNSHIP_B = "149901001000", "149901002000"
VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = "149901001001", "149901001002", "149901002001"
_sequence = count(1)


def next_number() -> int:
    return next(_sequence)


def make_id(birth: str = "19800101", area6: str = "149901", seq: int | None = None) -> str:
    """A valid 18-digit resident ID; a fresh sequence number each call unless given (odd = male)."""
    seq = next(_sequence) * 2 + 1 if seq is None else seq
    first17 = f"{area6}{birth}{seq % 1000:03d}"
    return first17 + check_char(first17)
