from django.contrib import admin

from fupin.accounts.admin_scoping import SuperuserOnlyAdmin

from .department_models import DepartmentDesk


@admin.register(DepartmentDesk)
class DepartmentDeskAdmin(SuperuserOnlyAdmin):
    """Which department each department clerk uploads for."""

    list_display = ("user", "department")
    list_filter = ("department",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
