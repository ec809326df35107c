"""Runs and decisions are written by assessments only, so they are read-only here."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin

from .models import AssessmentRun


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ScopedAdmin):
    list_display = ("id", "kind", "pack_id", "year", "as_of", "area_name", "households", "passed", "finished_at")
    list_filter = ("kind", "single")
    exclude = ("pack",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
