"""The Django admin goes through the same scoping and audit as every other path."""

from django.contrib import admin

from . import audit
from .models import Action


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.restrict(request.user) if hasattr(qs, "restrict") else qs

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(obj.__class__.objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj)
        audit.record(request.user, Action.UPDATE if change else Action.CREATE, obj, changes=audit.diff(before, after), via="admin")

    def delete_model(self, request, obj):
        audit.record(request.user, Action.DELETE, obj, changes=audit.diff(audit.snapshot(obj), {}), via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
