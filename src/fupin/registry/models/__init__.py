"""The registry's tables: households and what belongs to them (households.py), villages (villages.py)."""

from .households import (
    CONDITION_FIELDS,
    INCOME_COMPONENTS,
    TRANSFER_COMPONENTS,
    Household,
    HouseholdPartQuerySet,
    HouseholdQuerySet,
    IncomeAccount,
    LivingConditions,
    Member,
    MemberEvent,
    PerCapita,
    StatusEvent,
)
from .villages import CHECKLIST_ITEMS, VillageEvent, VillageFacilities, VillageQuerySet

__all__ = [
    "CHECKLIST_ITEMS",
    "CONDITION_FIELDS",
    "INCOME_COMPONENTS",
    "TRANSFER_COMPONENTS",
    "Household",
    "HouseholdPartQuerySet",
    "HouseholdQuerySet",
    "IncomeAccount",
    "LivingConditions",
    "Member",
    "MemberEvent",
    "PerCapita",
    "StatusEvent",
    "VillageEvent",
    "VillageFacilities",
    "VillageQuerySet",
]
