"""The admin of the projects topic: projects and their records to look at only (services.projects and
implementation own every write: the order of steps, the notices, the plan's conditions), and the county's procedure
(ProcedureStep) editable by the county's administrators, scoped to their county."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from fupin.accounts.admin_scoping import ReadOnlyScopedAdmin, ScopedAdmin
from fupin.accounts.roles import Role

from ..models import ProcedureStep, Project

#: who edits a county's procedure: its administrators (a township sees it, as every user of the county does)
PROCEDURE_KEEPERS = frozenset({Role.COUNTY_ADMIN})


@admin.register(Project)
class ProjectAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "year", "area", "project_type", "cost", "stage", "step")
    list_filter = ("year", "stage", "project_type")
    search_fields = ("name", "code")


class ProcedureStepForm(forms.ModelForm):
    """The roles are role codes, the criteria names; both lists."""

    class Meta:
        model = ProcedureStep
        fields = ("county", "order", "code", "name", "roles", "notice_days", "criteria")

    def clean_roles(self):
        roles = self.cleaned_data.get("roles")
        if not isinstance(roles, list) or not roles or any(role not in Role.values for role in roles):
            raise forms.ValidationError(
                _('请填写角色代码列表，如 ["township", "county_admin"]；可用：%(roles)s')
                % {"roles": "、".join(Role.values)}
            )
        return roles

    def clean_criteria(self):
        criteria = self.cleaned_data.get("criteria") or []
        if not isinstance(criteria, list) or any(not isinstance(c, str) or not c.strip() for c in criteria):
            raise forms.ValidationError(_('审核要点应为文字列表，如 ["真实性", "必要性"]'))
        return [c.strip() for c in criteria]


@admin.register(ProcedureStep)
class ProcedureStepAdmin(ScopedAdmin):
    form = ProcedureStepForm
    list_display = ("county", "order", "code", "name", "notice_days")
    list_filter = ("code",)
    ordering = ("county", "order")

    def _keeper(self, request) -> bool:
        return request.user.is_superuser or getattr(request.user, "role", None) in PROCEDURE_KEEPERS

    def has_module_permission(self, request):
        return self._keeper(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._keeper(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._keeper(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._keeper(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._keeper(request) and super().has_delete_permission(request, obj)
