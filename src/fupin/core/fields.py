"""Model fields every business app declares the same way: who did something, and amounts of money (exact decimals,
never float)."""

from django.conf import settings
from django.db import models


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


def yuan_field(verbose_name, **kwargs):
    """An amount in yuan, exact to the fen (decimal, never float)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def wan_field(verbose_name, **kwargs):
    """An amount in 万元, exact to four decimals (seed 004: 6,555.8557 万元), up to a trillion yuan."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=4, **kwargs)
