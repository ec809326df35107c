"""What every assistance model shares: the scoped querysets by the column holding a row's area, and the user and
village fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.core.fields import user_field, yuan_field  # noqa: F401 (the assistance models import them from here)


class AreaScopedQuerySet(ScopedQuerySet):
    area_path = "area_id"


class VillageScopedQuerySet(ScopedQuerySet):
    area_path = "village_id"


def village_field(related_name="+"):
    return models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name=related_name
    )


def household_field(related_name):
    return models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name=related_name
    )
