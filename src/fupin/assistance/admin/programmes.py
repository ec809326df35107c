"""The assistance records in the admin, scoped like every path (accounts.admin_scoping.ScopedAdmin). One section a
topic."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ReadOnlyScopedAdmin

from ..models import Attendance, EnterprisePairing, Relocation, RelocationSite, SocialAid, Training

# programmes


class ProgrammeRecordAdmin(ReadOnlyScopedAdmin):
    """To look at only: relocation, training, enterprise and social aid records are written through
    services.relocation / services.programmes (move-in after completion, reclaimed after demolished, persons within
    the household, the registry's relocated flag), which the admin's forms would bypass."""


@admin.register(RelocationSite)
class RelocationSiteAdmin(ProgrammeRecordAdmin):
    list_display = ("name", "area", "kind", "planned_households", "construction_completed_on")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Relocation)
class RelocationAdmin(ProgrammeRecordAdmin):
    list_display = ("household", "site", "persons", "moved_in_on", "demolished_on", "reclaimed_on")
    search_fields = ("household__number",)
    raw_id_fields = ("household",)


@admin.register(Training)
class TrainingAdmin(ProgrammeRecordAdmin):
    list_display = ("course", "area", "started_on", "ended_on")
    search_fields = ("course",)


@admin.register(Attendance)
class AttendanceAdmin(ProgrammeRecordAdmin):
    list_display = ("training", "member", "certified", "employed")
    raw_id_fields = ("member",)
    fields = ("village", "training", "member", "certified", "employed")


@admin.register(EnterprisePairing)
class EnterprisePairingAdmin(ProgrammeRecordAdmin):
    list_display = ("unit", "village", "started_on", "ended_on", "projects", "amount")


@admin.register(SocialAid)
class SocialAidAdmin(ProgrammeRecordAdmin):
    list_display = ("donor", "village", "given_on", "content", "amount")
    raw_id_fields = ("household",)
