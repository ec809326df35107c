"""The one filter definition of the household list: the UI list, the API and exports all use it."""

from dataclasses import dataclass, fields

from django.db.models import Exists, OuterRef, Q

from .idcard import normalize_id_number
from .models import Household, Member


@dataclass
class HouseholdFilter:
    area: str = ""  # area code (any level); households under it
    status: str = ""  # codes.Status value
    household_type: str = ""  # codes.HouseholdType value
    monitoring_category: str = ""  # codes.MonitoringCategory value
    q: str = ""  # head or member name, member ID number (full or last digits), household number

    @classmethod
    def from_params(cls, params) -> "HouseholdFilter":
        """Build from a QueryDict or dict, ignoring unknown keys, surrounding blanks and NUL characters (no stored
        text holds one, and PostgreSQL refuses a query that carries one)."""
        return cls(**{f.name: str(params.get(f.name) or "").replace("\x00", "").strip() for f in fields(cls)})

    def apply(self, queryset):
        if self.area:
            from fupin.areas.models import Area

            area = Area.objects.filter(code=self.area).first()
            queryset = queryset.under(area.prefix if area else self.area)
        for name in ("status", "household_type", "monitoring_category"):
            if getattr(self, name):
                queryset = queryset.filter(**{name: getattr(self, name)})
        if self.q:
            queryset = queryset.filter(self._search(self.q))
        return queryset

    @staticmethod
    def _search(text):
        """Names match anywhere; a number matches a household number exactly or a member's ID in full or by
        its last digits (what a clerk reads off a card)."""
        ident = normalize_id_number(text)
        members = Member.objects.filter(household=OuterRef("pk"))
        condition = Q(head_name__contains=text) | Q(number=text) | Exists(members.filter(name__contains=text))
        if len(ident) >= 4 and ident[:-1].isdigit():
            condition |= Exists(
                members.filter(id_number=ident) if len(ident) >= 15 else members.filter(id_number__endswith=ident)
            )
        return condition


def filtered_households(user, params):
    """Households in the user's scope that pass the list filters."""
    return HouseholdFilter.from_params(params).apply(Household.objects.restrict(user))
