"""Units, cadres, resident work teams and the village's assistance set (五个一 / 三个一).

A unit and a cadre belong to the area that registered them (a county department's cadres to the county), so a
township sees the cadres registered under it and a county all of them; a work team and a set part belong to the
village they serve. A cadre who logs in is linked to their user account (`user`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import codes
from .common import AreaScopedQuerySet, VillageScopedQuerySet, user_field, village_field


class Unit(models.Model):
    """帮扶单位: a department, an enterprise, a social organisation or an east–west partner."""

    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("单位名称"), max_length=80)
    kind = models.CharField(_("单位类型"), max_length=12, choices=codes.UnitKind.choices)
    contact = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶单位")
        verbose_name_plural = _("帮扶单位")
        ordering = ["area_id", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="one_unit_name_per_area")]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.area_id


class Cadre(models.Model):
    """帮扶干部: who they are, where they work and what they are (county leader, first secretary, team member)."""

    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("帮扶单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="cadres"
    )
    name = models.CharField(_("姓名"), max_length=40)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    post = models.CharField(_("职务"), max_length=60, blank=True)
    level = models.CharField(_("职级"), max_length=10, choices=codes.CadreLevel.choices, default="staff")
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    county_leader = models.BooleanField(_("县级领导"), default=False)
    first_secretary = models.BooleanField(_("第一书记"), default=False)
    team_member = models.BooleanField(_("驻村工作队员"), default=False)
    active = models.BooleanField(_("在岗"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = AreaScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("帮扶干部")
        verbose_name_plural = _("帮扶干部")
        ordering = ["area_id", "name", "id"]
        indexes = [models.Index(fields=["area", "active"])]
        constraints = [
            # the import's key: a cadre is named by unit and phone (two 张伟 in one unit differ by phone)
            models.UniqueConstraint(
                fields=["unit", "name", "phone"], condition=~Q(phone=""), name="one_cadre_per_unit_name_phone"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def area_code(self) -> str:
        return self.area_id


class WorkTeam(models.Model):
    """驻村工作队: a village's resident team of one batch (seed 000: 3 batches over 76 villages)."""

    village = village_field("work_teams")
    batch = models.PositiveSmallIntegerField(_("批次"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("派出单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    started_on = models.DateField(_("进驻日期"))
    ended_on = models.DateField(_("撤离日期"), null=True, blank=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["village_id", "-batch"]
        constraints = [models.UniqueConstraint(fields=["village", "batch"], name="one_team_per_village_batch")]

    def __str__(self):
        return f"{self.village_id} 第{self.batch}批"

    @property
    def area_code(self) -> str:
        return self.village_id


class TeamPartQuerySet(VillageScopedQuerySet):
    area_path = "team__village_id"


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    MEMBER = "member", _("队员")


class TeamMember(models.Model):
    team = models.ForeignKey(WorkTeam, verbose_name=_("驻村工作队"), on_delete=models.CASCADE, related_name="members")
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="team_posts")
    role = models.CharField(_("队内职务"), max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)
    joined_on = models.DateField(_("到岗日期"))
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)

    objects = TeamPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作队成员")
        verbose_name_plural = _("工作队成员")
        ordering = ["team_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "cadre"], name="one_post_per_team_cadre")]

    def __str__(self):
        return f"{self.cadre} {self.get_role_display()}"

    @property
    def area_code(self) -> str:
        return self.team.village_id


class SetPost(models.Model):
    """One part of a village's assistance set over a period: its contact leader, its unit, its team, its first
    secretary, its agronomist. What is missing on a date is the parts with no post then (services.villages)."""

    village = village_field("assistance_posts")
    part = models.CharField(_("帮扶力量"), max_length=16, choices=codes.SetPart.choices)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="set_posts"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="set_posts"
    )
    team = models.ForeignKey(
        WorkTeam, verbose_name=_("工作队"), null=True, blank=True, on_delete=models.CASCADE, related_name="set_posts"
    )
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    recorded_by = user_field(_("录入人"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = VillageScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("村级帮扶力量")
        verbose_name_plural = _("村级帮扶力量")
        ordering = ["village_id", "part", "-started_on"]
        indexes = [models.Index(fields=["village", "part", "started_on"])]

    def __str__(self):
        return f"{self.village_id} {self.get_part_display()}"

    @property
    def area_code(self) -> str:
        return self.village_id
