"""Households: create and update, scoped, validated and audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from fupin.core.errors import NotFound

from ..models import Household
from .base import require_editor, save_audited, village_in_scope

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
