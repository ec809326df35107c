"""What the supervision models share: the county column and the scoping of a county's own records."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import PREFIX_LENGTH, Level, ScopedQuerySet
from fupin.areas.scoping import scope_prefix


class CountyScopedQuerySet(ScopedQuerySet):
    """A county's own lists (problem kinds, batches, teams, plans, bulletins) are seen by every user of the county;
    a user above the county sees the counties under his area."""

    area_path = "county_id"

    def restrict(self, user):
        return self.under(scope_prefix(user)[: PREFIX_LENGTH[Level.COUNTY]])


def county_field(related_name="+"):
    return models.ForeignKey(
        "areas.Area", verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name=related_name
    )
