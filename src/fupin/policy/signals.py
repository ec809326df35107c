"""Keep each household's assessment profile in step with edits made through the registry services (one household
at a time, in the same transaction). Bulk loads that bypass model saves are caught by compute.refresh_profiles."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fupin.registry.models import Member, StatusEvent

from .compute import refresh_household_profile


@receiver(post_save, sender=Member, dispatch_uid="policy-profile-member-saved")
@receiver(post_delete, sender=Member, dispatch_uid="policy-profile-member-deleted")
@receiver(post_save, sender=StatusEvent, dispatch_uid="policy-profile-event-saved")
@receiver(post_delete, sender=StatusEvent, dispatch_uid="policy-profile-event-deleted")
def refresh_profile(sender, instance, using, **kwargs):
    refresh_household_profile(instance.household_id, using)
