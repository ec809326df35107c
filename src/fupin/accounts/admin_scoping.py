"""The Django admin goes through the same scoping and audit as every other path.

Fail closed, at the mechanism rather than page by page:
- ScopedAdmin refuses (ImproperlyConfigured, at registration) a model whose queryset has no `restrict`, and an
  inline that is not scoped; every admin the site holds is a ScopedAdmin or SuperuserOnlyAdmin (admin_site.py
  wraps the third-party ones).
- Lists, change, delete and history pages see `restrict(user)` only; any other object is a 404, as a missing one
  is.
- Every foreign-key and many-to-many form field chooses among the user's scope only, whatever its widget (select,
  raw id, autocomplete): a submitted key outside it is refused by the form, and a raw-id field never prints the
  label of an object the user may not see.
- An object whose own area (admin.scope_codes) would be outside the user's scope is refused by the form.
- A list filter on a relation offers only the related objects of the user's own rows.
"""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.areas.scoping import in_scope

from . import audit
from .models import Action

OUT_OF_SCOPE_CHOICE = gettext_lazy("所选记录不存在或不在您管辖的区划内")


def scoped(queryset, user):
    """Rows of `queryset` the user may see: `restrict(user)`; a model without it only for a superuser."""
    if hasattr(queryset, "restrict"):
        return queryset.restrict(user)
    return queryset if user.is_active and user.is_superuser else queryset.none()


class ScopedRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """A raw-id input whose label (the object's str, shown next to the key) is printed only for an object in the
    user's scope: a re-rendered form must not tell another area's household number and head's name."""

    def __init__(self, rel, admin_site, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        try:
            visible = self.queryset.filter(**{self.rel.get_related_field().name: value}).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        return super().label_and_url_for_value(value) if visible else ("", "")


class InScopeForm:
    """Mixed into every admin form: the saved object must belong to the user's scope (admin.scope_codes)."""

    scope_user = None
    scope_admin = None

    def _post_clean(self):
        super()._post_clean()
        if not self.scope_admin.object_in_scope(self.scope_user, self.instance):
            self.add_error(None, _("不能保存：该记录不在您管辖的区划内"))


class Scoped:
    """What ScopedAdmin and the scoped inlines share: querysets, form choices and the saved object's area."""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return scoped(queryset, request.user)

    def _scoped_choices(self, db_field, request, kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
        kwargs["queryset"] = scoped(queryset, request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, kwargs["queryset"], using=kwargs.get("using")
            )
        return _out_of_scope_message(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return _out_of_scope_message(super().formfield_for_manytomany(db_field, request, **kwargs))

    def scope_codes(self, obj) -> list[str]:
        """The area codes that must all lie in the user's scope for `obj` to be saved: its own area."""
        return [audit.area_of(obj)]

    def object_in_scope(self, user, obj) -> bool:
        return all(in_scope(user, code) for code in self.scope_codes(obj))

    def _in_scope_form(self, form, request):
        return type(form.__name__, (InScopeForm, form), {"scope_user": request.user, "scope_admin": self})


def _out_of_scope_message(formfield):
    """A key outside the scope is refused in the words used for a missing one (the message confirms neither)."""
    if formfield is not None:
        formfield.error_messages = {
            **formfield.error_messages,
            "invalid_choice": OUT_OF_SCOPE_CHOICE,
            "invalid_pk_value": OUT_OF_SCOPE_CHOICE,
        }
    return formfield


class ScopedInlineMixin(Scoped):
    def object_in_scope(self, user, obj) -> bool:
        """A row whose area is not known yet (its parent is being added in the same form) takes the parent's,
        which the parent's own form checks."""
        return all(in_scope(user, code) for code in self.scope_codes(obj) if code)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = self._in_scope_form(formset.form, request)
        return formset


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    pass


class ScopedAdmin(Scoped, admin.ModelAdmin):
    def __init__(self, model, admin_site):
        if not hasattr(model._default_manager.get_queryset(), "restrict"):
            raise ImproperlyConfigured(
                f"{model._meta.label}: its queryset has no restrict(user), so ScopedAdmin cannot scope it; "
                "give the model a ScopedQuerySet or register it with SuperuserOnlyAdmin"
            )
        unscoped = [inline.__name__ for inline in self.inlines if not issubclass(inline, ScopedInlineMixin)]
        if unscoped:
            raise ImproperlyConfigured(
                f"{model._meta.label}: inlines {unscoped} must be ScopedTabularInline or ScopedStackedInline"
            )
        super().__init__(model, admin_site)

    def get_object(self, request, object_id, from_field=None):
        """An object outside the user's scope is answered as a missing one is: 404 (the admin's own answer to a
        missing key would be a redirect with a message naming the key)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("未找到该记录"))
        return obj

    def get_urls(self):
        """Django's "<pk>/" (a redirect to the change page, whatever the key) answers 404 like the change page does
        for an object outside the scope."""
        urls = super().get_urls()
        for position, pattern in enumerate(urls):
            if str(pattern.pattern) == "<path:object_id>/":
                view = self.admin_site.admin_view(self._scoped_redirect(pattern.callback))
                urls[position] = path("<path:object_id>/", view)
        return urls

    def _scoped_redirect(self, redirect):
        def view(request, object_id):
            self.get_object(request, unquote(object_id))  # Http404 unless the user may see it
            return redirect(request, object_id=object_id)

        return view

    def get_form(self, request, obj=None, change=False, **kwargs):
        return self._in_scope_form(super().get_form(request, obj, change=change, **kwargs), request)

    def get_list_filter(self, request):
        """A filter on a relation lists only the related objects of the user's own rows (Django's plain one lists
        every object of the related model)."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and _is_relation(self.model, item):
                item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(obj.__class__.objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj)
        action = Action.UPDATE if change else Action.CREATE
        audit.record(request.user, action, obj, changes=audit.diff(before, after), via="admin")

    def delete_model(self, request, obj):
        audit.record(request.user, Action.DELETE, obj, changes=audit.diff(audit.snapshot(obj), {}), via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows are saved one by one through save_model and delete_model, so each is audited."""
        for obj in formset.save(commit=False) if formset.is_bound else []:
            self.save_model(request, obj, None, obj.pk is not None and not obj._state.adding)
        for obj in formset.deleted_objects:
            self.delete_model(request, obj)
        formset.save_m2m()


def _is_relation(model, lookup: str) -> bool:
    try:
        return any(field.is_relation for field in get_fields_from_path(model, lookup))
    except (FieldDoesNotExist, NotRelationField):  # not a field path: Django's own checks report it
        return False


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """A model that is not area data (Django's groups, the task queue): seen and changed by superusers only."""

    def _superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request, *args):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)


def is_fail_closed(model_admin) -> bool:
    """Whether an admin limits what it shows by area or to superusers (the site's and the tests' check)."""
    return isinstance(model_admin, (ScopedAdmin, SuperuserOnlyAdmin))


class ReadOnlyScopedAdmin(ScopedAdmin):
    """A scoped admin to look at only: for records a service writes (its checks, its audit), which the admin's
    forms would bypass."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
