"""The responsible-person roles of a county: its own ResponsibleRole rows, or seed 000's three by default."""

from dataclasses import dataclass

from fupin.areas.models import PREFIX_LENGTH, Level

from .. import codes
from ..models import ResponsibleRole


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    default_from: str


def county_code(area_code: str) -> str:
    """The 12-digit code of the county an area lies in."""
    return area_code[: PREFIX_LENGTH[Level.COUNTY]].ljust(12, "0")


def responsible_roles(area_code: str) -> tuple[RoleSpec, ...]:
    """The active roles of the county of `area_code`, in order; the defaults where the county wrote none."""
    rows = ResponsibleRole.objects.filter(area_id=county_code(area_code), active=True).order_by("order", "code")
    own = tuple(RoleSpec(row.code, row.name, row.default_from) for row in rows)
    return own or tuple(RoleSpec(d.code, d.name, d.default_from) for d in codes.DEFAULT_RESPONSIBLE_ROLES)
