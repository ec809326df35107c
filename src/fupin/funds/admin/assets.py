"""The admin of the assets topic: assets, their upkeep and income plans with their shares, scoped like every path
(accounts.admin_scoping.ScopedAdmin), to look at only — every write goes through services.assets and
services.asset_income (an accepted project, ownership inside the county, the county's approval of a disposal, shares
that add up, the registry's income written through its service), which the admin's forms would bypass."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ReadOnlyScopedAdmin

from ..models import Asset, IncomePlan, IncomeShare, Maintenance


@admin.register(Asset)
class AssetAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "code", "category", "area", "value", "owner_level", "state", "formed_on")
    list_filter = ("category", "owner_level", "state")
    search_fields = ("name", "code")
    raw_id_fields = ("project", "owner_household")


@admin.register(Maintenance)
class MaintenanceAdmin(ReadOnlyScopedAdmin):
    list_display = ("asset", "on", "work", "cost")
    raw_id_fields = ("asset",)


@admin.register(IncomePlan)
class IncomePlanAdmin(ReadOnlyScopedAdmin):
    list_display = ("asset", "year", "income", "collective_share", "households_share", "rule", "distributed_on")
    list_filter = ("rule",)
    raw_id_fields = ("asset",)


@admin.register(IncomeShare)
class IncomeShareAdmin(ReadOnlyScopedAdmin):
    list_display = ("plan", "household", "amount")
    raw_id_fields = ("plan", "household")
    search_fields = ("household__number",)
