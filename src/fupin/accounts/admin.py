from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_scoping import ScopedAdmin
from .models import AuditEntry, User
from .scoping import scope_prefix


@admin.register(User)
class UserAdmin(BaseUserAdmin, ScopedAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("岗位与区划"), {"fields": ("role", "area", "department")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("岗位与区划"), {"fields": ("role", "area", "department")}),)
    list_display = ("username", "last_name", "first_name", "role", "area", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("area",)

    def get_queryset(self, request):
        # a superuser without an area also sees users without one (e.g. other superusers)
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if scope_prefix(request.user) == "" else qs.restrict(request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    list_display = ("at", "username", "action", "model", "object_id", "area_code", "via")
    list_filter = ("action", "via", "model")
    search_fields = ("username", "object_id", "area_code")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
