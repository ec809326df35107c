"""The assistance records in the admin, scoped like every admin (accounts.admin_scoping)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fupin.accounts.admin_scoping import ScopedAdmin
from fupin.accounts.roles import Role
from fupin.areas.models import Level

from ..models import Pairing, Responsibility, ResponsibleRole

# pairings


class PairingRecordAdmin(ScopedAdmin):
    """Records kept over periods, to look at: pairings and responsible persons are written through their pages
    and services (the dates, the change's record and the audit are theirs)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Pairing)
class PairingAdmin(PairingRecordAdmin):
    list_display = ("household", "cadre", "started_on", "ended_on", "village")
    list_filter = ("ended_on",)
    search_fields = ("household__number", "cadre__name")
    fields = ("village", "household", "cadre", "started_on", "ended_on", "end_reason", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Responsibility)
class ResponsibilityAdmin(PairingRecordAdmin):
    list_display = ("household", "role_name", "cadre", "started_on", "ended_on", "automatic")
    list_filter = ("role", "automatic")
    search_fields = ("household__number", "cadre__name")
    fields = (
        "village", "household", "role", "role_name", "cadre", "started_on", "ended_on", "reason", "automatic",
        "recorded_by", "recorded_at",
    )  # fmt: skip
    readonly_fields = fields


class ResponsibleRoleForm(forms.ModelForm):
    class Meta:
        model = ResponsibleRole
        fields = ("area", "code", "name", "order", "default_from", "active")

    def clean_area(self):
        area = self.cleaned_data["area"]
        if area is not None and area.level != Level.COUNTY:
            raise forms.ValidationError(_("帮扶责任人类别由县（区）设置，请选择县级区划"))
        return area


@admin.register(ResponsibleRole)
class ResponsibleRoleAdmin(ScopedAdmin):
    """A county's responsible-person roles (seed 000's three until it writes its own): set by the county's
    administrators and superusers — a county's rule, not a township's."""

    form = ResponsibleRoleForm
    list_display = ("name", "code", "area", "order", "default_from", "active")
    list_filter = ("active", "default_from")
    raw_id_fields = ("area",)

    def _county(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.COUNTY_ADMIN)

    def has_module_permission(self, request):
        return self._county(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._county(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._county(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._county(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._county(request) and super().has_delete_permission(request, obj)
