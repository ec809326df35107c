from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin, ScopedTabularInline

from .models import Household, IncomeAccount, LivingConditions, Member, MemberEvent, StatusEvent, VillageFacilities


class MemberInline(ScopedTabularInline):
    """The household's members, to look at: members are added, changed and deleted on their own page, where the ID
    number is checked and the change audited."""

    model = Member
    extra = 0
    fields = ("name", "sex", "relation", "birth_date", "labour_capacity", "school_status")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("number", "head_name", "village", "household_type", "status", "monitoring_category")
    list_filter = ("household_type", "status", "monitoring_category")
    search_fields = ("number", "head_name")
    raw_id_fields = ("village",)
    readonly_fields = ("status",)
    exclude = ("phone", "bank_account")  # masked data is edited only through the audited registry pages
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    list_display = ("name", "household", "relation", "sex", "birth_date")
    search_fields = ("name", "household__number")
    raw_id_fields = ("household",)
    exclude = ("id_number", "phone", "health", "disability_cert")


@admin.register(IncomeAccount)
class IncomeAccountAdmin(ScopedAdmin):
    list_display = ("household", "year", "persons", "net_income", "per_capita_net_income")
    list_filter = ("year",)
    raw_id_fields = ("household",)


@admin.register(LivingConditions)
class LivingConditionsAdmin(ScopedAdmin):
    list_display = ("household", "year", "housing_safety", "safe_drinking_water")
    list_filter = ("year", "housing_safety")
    raw_id_fields = ("household",)


@admin.register(StatusEvent)
class StatusEventAdmin(ScopedAdmin):
    list_display = ("household", "kind", "date", "approver")
    list_filter = ("kind",)
    raw_id_fields = ("household",)
    readonly_fields = ("household", "kind", "date", "recorded_by")  # who recorded it is not to be edited

    def has_add_permission(self, request):
        return False  # events are recorded through services.record_event, which also moves the status


@admin.register(MemberEvent)
class MemberEventAdmin(ScopedAdmin):
    """To look at only: a member event is recorded through services.record_member_event (or the import), which
    checks it against the person's other events and moves the member's joined/left dates with it."""

    list_display = ("household", "name", "kind", "date", "approximate", "other_household")
    list_filter = ("kind",)
    search_fields = ("household__number", "name")
    fields = ("household", "member", "name", "kind", "date", "approximate", "other_household", "reason", "recorded_by")
    readonly_fields = fields  # not the ID number: masked data is shown only through the audited registry pages

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Village facilities (the village-exit checklist) are reference data a county keeps in the admin, scoped and audited
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
