"""Registry operations. Every change goes through here: scope check, validation, write, audit.

Views, API endpoints, the admin and importers only parse input, call these and render the result. What each
field may hold is registry.values: full_clean() applies it, and the importer runs the same rules as SQL. One module
per topic; the names are re-exported here, so callers write `services.create_household`.
"""

from .base import reveal
from .events import EVENT_FROM, TYPE_FOR_STATUS, apply_event, record_event, status_counts_as_of, with_status_as_of
from .figures import Figures, figures_as_of
from .households import HOUSEHOLD_FIELDS, create_household, create_household_with_head, update_household
from .members import (
    MEMBER_EVENT_FIELDS,
    MEMBER_FIELDS,
    add_member,
    check_member_id,
    duplicate_persons,
    income_persons_error,
    member_event_refusal,
    members_present_on,
    record_member_event,
    sync_member_dates,
    update_member,
)
from .villages import no_population, population_of, record_village_event, set_population, standing_of, villages_as_of
from .yearly import CONDITIONS_FIELDS, INCOME_FIELDS, save_conditions, save_income

__all__ = [
    "CONDITIONS_FIELDS",
    "EVENT_FROM",
    "Figures",
    "HOUSEHOLD_FIELDS",
    "INCOME_FIELDS",
    "MEMBER_EVENT_FIELDS",
    "MEMBER_FIELDS",
    "TYPE_FOR_STATUS",
    "add_member",
    "apply_event",
    "check_member_id",
    "create_household",
    "create_household_with_head",
    "duplicate_persons",
    "figures_as_of",
    "income_persons_error",
    "member_event_refusal",
    "members_present_on",
    "no_population",
    "population_of",
    "record_event",
    "record_village_event",
    "record_member_event",
    "reveal",
    "save_conditions",
    "save_income",
    "set_population",
    "standing_of",
    "status_counts_as_of",
    "sync_member_dates",
    "update_household",
    "update_member",
    "villages_as_of",
    "with_status_as_of",
]
