from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin

from .models import Area


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)

    def scope_codes(self, obj) -> list[str]:
        """An area is kept by the users of the area above it: its parent must lie in the user's scope (a top-level
        area has none, so only a user who sees everything may add one), and so must its own code."""
        return [obj.parent_id or "", obj.code or ""]
