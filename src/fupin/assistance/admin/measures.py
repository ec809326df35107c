"""The admin of measures, scoped like every path (accounts.admin_scoping)."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin

from ..models import Measure

# measures


@admin.register(Measure)
class MeasureAdmin(ScopedAdmin):
    """Read-only: a measure is checked whole against its kind's fields and bounds by services.measures, which the
    admin's form would bypass; the measure pages and the API write them."""

    list_display = ("household", "village", "category", "kind", "subtype", "started_on", "ended_on", "status")
    list_filter = ("category", "kind", "status")
    search_fields = ("household__number", "household__head_name", "subtype")
    date_hierarchy = "started_on"
    readonly_fields = [f.name for f in Measure._meta.concrete_fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
