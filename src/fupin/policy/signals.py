"""Keep each household's assessment profile in step with edits made through the registry services (one household
at a time, in the same transaction) and with the importer's bulk updates (`households_changed`). Rows added by
bulk loads that send neither are caught by compute.refresh_profiles before every assessment."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from fupin.registry.models import Household, IncomeAccount, LivingConditions, Member, StatusEvent
from fupin.registry.signals import households_changed

from .compute import refresh_households
from .evaluation import delete_run_decisions
from .models import AssessmentRun


@receiver(post_save, sender=Member, dispatch_uid="policy-profile-member-saved")
@receiver(post_delete, sender=Member, dispatch_uid="policy-profile-member-deleted")
@receiver(post_save, sender=StatusEvent, dispatch_uid="policy-profile-event-saved")
@receiver(post_delete, sender=StatusEvent, dispatch_uid="policy-profile-event-deleted")
@receiver(post_save, sender=IncomeAccount, dispatch_uid="policy-profile-income-saved")
@receiver(post_delete, sender=IncomeAccount, dispatch_uid="policy-profile-income-deleted")
@receiver(post_save, sender=LivingConditions, dispatch_uid="policy-profile-conditions-saved")
@receiver(post_delete, sender=LivingConditions, dispatch_uid="policy-profile-conditions-deleted")
def refresh_profile(sender, instance, using, **kwargs):
    refresh_households([instance.household_id], using)


@receiver(post_save, sender=Household, dispatch_uid="policy-profile-household-saved")
def refresh_household(sender, instance, using, **kwargs):
    refresh_households([instance.pk], using)


@receiver(households_changed, dispatch_uid="policy-profile-households-changed")
def refresh_changed(sender, household_ids, using="default", **kwargs):
    refresh_households(household_ids, using)


@receiver(pre_delete, sender=AssessmentRun, dispatch_uid="policy-run-deleted")
def discard_run_decisions(sender, instance, using, **kwargs):
    """A run's decisions are its own table (PostgreSQL, a large run) and one key range: deleted by those, never
    looked up by run (there is no index on run)."""
    delete_run_decisions(instance.pk, using)
