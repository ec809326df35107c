"""The assistance admin of people and units and the village's set, scoped like every admin (accounts.admin_scoping).
Phones are left out: masked data is edited on the audited pages only."""

from django.contrib import admin

from fupin.accounts.admin_scoping import ScopedAdmin, ScopedTabularInline

from ..models import Cadre, SetPost, TeamMember, Unit, WorkTeam


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ("name", "kind", "area", "contact")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("area",)
    exclude = ("phone",)


@admin.register(Cadre)
class CadreAdmin(ScopedAdmin):
    list_display = ("name", "unit", "level", "post", "area", "county_leader", "first_secretary", "team_member")
    list_filter = ("level", "county_leader", "first_secretary", "team_member", "active")
    search_fields = ("name", "post")
    raw_id_fields = ("area", "unit", "user")
    exclude = ("phone",)


class TeamMemberInline(ScopedTabularInline):
    model = TeamMember
    extra = 0
    fields = ("cadre", "role", "joined_on", "left_on")
    raw_id_fields = ("cadre",)


@admin.register(WorkTeam)
class WorkTeamAdmin(ScopedAdmin):
    list_display = ("village", "batch", "unit", "started_on", "ended_on")
    list_filter = ("batch",)
    search_fields = ("village__name", "village__code")
    raw_id_fields = ("village", "unit")
    inlines = [TeamMemberInline]


@admin.register(SetPost)
class SetPostAdmin(ScopedAdmin):
    list_display = ("village", "part", "cadre", "unit", "team", "started_on", "ended_on")
    list_filter = ("part",)
    search_fields = ("village__name", "village__code")
    raw_id_fields = ("village", "cadre", "unit", "team")
    readonly_fields = ("recorded_by",)
