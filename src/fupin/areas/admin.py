from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin

from .models import Area


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
