"""What every assistance model shares: the scoped querysets by the column holding a row's area, and the user and
village fields."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet


class AreaScopedQuerySet(ScopedQuerySet):
    area_path = "area_id"


class VillageScopedQuerySet(ScopedQuerySet):
    area_path = "village_id"


def user_field(verbose_name):
    """Who did something: kept as NULL when the user is deleted (the audit log keeps the name)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def village_field(related_name="+"):
    return models.ForeignKey(
        "areas.Area", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name=related_name
    )


def household_field(related_name):
    return models.ForeignKey(
        "registry.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name=related_name
    )


def yuan_field(verbose_name, **kwargs):
    """An amount in yuan, exact to the fen (decimal, never float)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)
