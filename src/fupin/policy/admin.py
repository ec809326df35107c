"""Village facilities (the village-exit checklist) are reference data a county keeps in the admin, scoped and
audited like every other path. Runs and decisions are written by assessments only, so they are read-only here."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin

from .models import AssessmentRun, VillageFacilities


@admin.register(VillageFacilities)
class VillageFacilitiesAdmin(ScopedAdmin):
    list_display = (
        "village",
        "year",
        "hardened_road",
        "electricity",
        "safe_water",
        "broadband",
        "clinic_with_doctor",
        "collective_income",
    )
    list_filter = ("year",)
    search_fields = ("village__code", "village__name")
    raw_id_fields = ("village",)


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ScopedAdmin):
    list_display = ("id", "kind", "pack_id", "year", "as_of", "area_name", "households", "passed", "finished_at")
    list_filter = ("kind", "single")
    exclude = ("pack",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
