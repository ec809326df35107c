from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import Area, AreaPopulation
from fupin.areas.scoping import scope_prefix

from . import audit, lockout, masking
from .admin_scoping import ScopedAdmin
from .models import Action, AuditEntry, Lockout, User
from .roles import ROLE_RANK

#: what only a superuser may change on a user: who he is for the scoping, and what the admin lets him do
GRANTS = ("role", "area", "is_staff", "is_superuser", "groups", "user_permissions")


def _rank(role) -> int:
    return ROLE_RANK.get(role, max(ROLE_RANK.values()) + 1)  # an unknown role counts as above every other


@admin.register(User)
class UserAdmin(BaseUserAdmin, ScopedAdmin):
    """Users in the admin. A staff user who is not a superuser sees the users of his area; he may create users
    there with a role ranked at or below his own (roles.ROLE_RANK), and change the others' names, e-mail and
    passwords, never their role, area, staff or superuser flags, groups or permissions (read-only; a POST that
    carries them is ignored). Superusers, and users ranked above him, are beyond his change and password pages."""

    fieldsets = BaseUserAdmin.fieldsets + ((_("岗位与区划"), {"fields": ("role", "area", "department")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("岗位与区划"), {"fields": ("role", "area", "department")}),)
    list_display = ("username", "last_name", "first_name", "role", "area", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("area",)

    def get_queryset(self, request):
        # a superuser without an area also sees users without one (e.g. other superusers)
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if scope_prefix(request.user) == "" else qs.restrict(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser or obj is None else fields + GRANTS

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            mine = _rank(request.user.role)
            kwargs["choices"] = [(value, label) for value, label in db_field.choices if _rank(value) <= mine]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def _beyond(self, request, obj) -> bool:
        """A user the requesting one may not change: a superuser, or one ranked above him."""
        me = request.user
        return obj is not None and not me.is_superuser and (obj.is_superuser or _rank(obj.role) > _rank(me.role))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._beyond(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._beyond(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:  # the form lacks them; this keeps any other way in closed as well
            stored = User.objects.filter(pk=obj.pk).first() if change else None
            for name in ("is_staff", "is_superuser") + (("role", "area_id") if stored else ()):
                setattr(obj, name, getattr(stored, name) if stored else False)
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        """Django's password page, audited like every other change (the log keeps a fingerprint, not the hash)."""
        user = self.get_object(request, unquote(id))
        before = audit.snapshot(user, fields={"password"})
        response = super().user_change_password(request, id, form_url)
        user.refresh_from_db(fields=["password"])
        changes = audit.diff(before, audit.snapshot(user, fields={"password"}))
        if changes:
            audit.record(request.user, Action.UPDATE, user, changes=changes, via="admin")
        return response


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    list_display = ("at", "username", "action", "model", "object_id", "area_code", "via")
    list_filter = ("action", "via", "model")
    search_fields = ("username", "object_id", "area_code")
    readonly_fields = [f.name for f in AuditEntry._meta.fields if f.name != "changes"] + ["shown_changes"]
    exclude = ("changes",)

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        entry.viewer = request.user
        return entry

    @admin.display(description=_("变更内容"))
    def shown_changes(self, entry):
        """Each changed field with its old and new value; a sensitive value masked unless the viewer's role may
        reveal that field (the log must not be a way round the masking)."""
        viewer = getattr(entry, "viewer", None)

        def shown(field, value):
            return masking.shown(field, value, revealed=not masking.hidden_from(viewer, field))

        rows = []
        for field, value in sorted(entry.changes.items()):
            if isinstance(value, list) and len(value) == 2:
                rows.append((field, f"{shown(field, value[0])} → {shown(field, value[1])}"))
            else:
                rows.append((field, shown(field, value)))
        return format_html_join("\n", "<div><code>{}</code>：{}</div>", rows)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lockout)
class LockoutAdmin(ScopedAdmin):
    """Failed-login records and lockouts (django-axes's attempts) of the users in the viewer's area. Seen and lifted
    by superusers and county administrators (roles.LOCKOUT_LIFTERS; a role rule, not a Django permission to
    grant), each user's only if he may lift it (lockout.may_lift); lifting deletes the record through
    lockout.lift, which audits it. Nothing is added or edited here."""

    list_display = ("username", "person", "ip_address", "failures_since_start", "attempt_time", "state")
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time")
    readonly_fields = fields
    actions = ["lift_selected"]

    @admin.display(description=_("姓名"))
    def person(self, attempt):
        user = attempt.user
        return f"{user.last_name}{user.first_name}" if user else ""

    @admin.display(description=_("状态"))
    def state(self, attempt):
        return _("锁定中") if lockout.is_locked(attempt) else _("未锁定")

    def has_module_permission(self, request):
        return lockout.may_lift_any(request.user) and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or lockout.may_lift(request.user, obj))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # lift_selected says what it does, and skips what he may not lift
        return actions

    @admin.action(description=_("解除所选的登录锁定"), permissions=["delete"])
    def lift_selected(self, request, queryset):
        allowed = [attempt for attempt in queryset if lockout.may_lift(request.user, attempt)]
        lifted = lockout.lift(allowed, by=request.user, via="admin")
        self.message_user(request, _("已解除 %(count)d 条登录锁定。") % {"count": lifted})

    def delete_model(self, request, obj):
        lockout.lift([obj], by=request.user, via="admin")


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    """The area tree in the admin. Registered here, not in areas: areas sits below accounts, and the scoped admin
    (with its audit) is accounts'."""

    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def scope_codes(self, obj) -> list[str]:
        """An area is kept by the users of the area above it: its parent must lie in the user's scope (a top-level
        area has none, so only a user who sees everything may add one), and so must its own code."""
        return [obj.parent_id or "", obj.code or ""]


@admin.register(AreaPopulation)
class AreaPopulationAdmin(ScopedAdmin):
    """Each area's rural registered population and households per year (the incidence denominator); here beside
    the area tree, for the same reason."""

    list_display = ("area", "year", "rural_population", "rural_households", "source")
    list_filter = ("year",)
    search_fields = ("area__code", "area__name")
    raw_id_fields = ("area",)
