"""The admin of the ledger topic, to look at only: sources, budgets, batches and transfers are written through
services.funds (the budget left, the holder's balance, the 15-working-day rule, the audit), which the admin's forms
would bypass. The county's own records (sources, budgets, batches) are for the county's administrators and
superusers; transfers are scoped like every path, by the area they land in."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ReadOnlyScopedAdmin
from fupin.accounts.roles import Role

from ..models import Batch, Budget, FundSource, Transfer


class CountyRecordAdmin(ReadOnlyScopedAdmin):
    """A county's own record, seen by its administrators (and superusers), not by a township's staff."""

    def _county(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.COUNTY_ADMIN)

    def has_module_permission(self, request):
        return self._county(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._county(request) and super().has_view_permission(request, obj)


@admin.register(FundSource)
class FundSourceAdmin(CountyRecordAdmin):
    list_display = ("name", "county", "level", "kind", "line")
    list_filter = ("level", "kind")
    search_fields = ("name",)


@admin.register(Budget)
class BudgetAdmin(CountyRecordAdmin):
    list_display = ("source", "year", "amount", "document_no", "document_date")
    list_filter = ("year",)
    search_fields = ("source__name", "document_no")


@admin.register(Batch)
class BatchAdmin(CountyRecordAdmin):
    list_display = ("title", "county", "year", "number", "document_no", "document_date", "published_on")
    list_filter = ("year",)
    search_fields = ("title", "document_no")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyScopedAdmin):
    list_display = ("on", "from_area", "from_department", "to_area", "to_department", "source", "category", "amount")
    list_filter = ("year", "kind", "category")
    search_fields = ("document_no", "note")
    raw_id_fields = ("from_area", "to_area", "batch")
