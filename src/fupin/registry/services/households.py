"""Households: create and update, scoped, validated and audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core.errors import DomainError, NotFound

from .. import codes
from ..models import Household
from .base import require_editor, save_audited, village_in_scope
from .members import add_member

HOUSEHOLD_FIELDS = (
    "number",
    "village",
    "group_name",
    "head_name",
    "phone",
    "bank_account",
    "address",
    "household_type",
    "monitoring_category",
    "poverty_cause",
    "risk_type",
    "first_identified_on",
    "risk_identified_on",
    "risk_level",
    "risk_eliminated",
    "risk_eliminated_on",
    "risk_elimination_way",
    "relocated",
    "no_labour_household",
)


@transaction.atomic
def create_household(user, data: dict, *, via="ui") -> Household:
    require_editor(user)
    data = dict(data)
    data["village"] = village_in_scope(user, data.get("village"))
    return save_audited(user, Household(), data, HOUSEHOLD_FIELDS, via=via)


@transaction.atomic
def update_household(user, household: Household, data: dict, *, via="ui") -> Household:
    require_editor(user)
    household = Household.objects.restrict(user).select_for_update().filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("未找到该农户"))
    data = dict(data)
    if "village" in data:
        data["village"] = village_in_scope(user, data["village"])
    return save_audited(user, household, data, HOUSEHOLD_FIELDS, via=via)


@transaction.atomic
def create_household_with_head(user, data: dict, head: dict, *, via="ui") -> Household:
    """A new household with its head as its first member, together or not at all: a household without its head is
    not what a clerk files (the 新建农户 page). `head` is the head's member fields; the name is the household's
    head_name and the relation 户主. A refusal of the head names its field as "head.<field>"."""
    household = create_household(user, data, via=via)
    head = {**head, "name": household.head_name, "relation": codes.Relation.HEAD}
    try:
        add_member(user, household, head, via=via)
    except DomainError as error:
        field = f"head.{error.field}" if error.field else None
        raise type(error)(error.message, field=field, details=error.details) from None
    return household
