"""Users bound to an area with a role, their API tokens, their login lockouts, and the audit log of every change and
every reveal."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from fupin.areas.models import ScopedQuerySet
from fupin.areas.scoping import scope_prefix

from .roles import EDITORS, SENSITIVE_FIELDS, Role


class UserQuerySet(ScopedQuerySet):
    area_path = "area_id"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, …) with `.restrict(user)` on its querysets."""


class AuditQuerySet(ScopedQuerySet):
    area_path = "area_code"


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VILLAGE)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    department = models.CharField(_("部门"), max_length=40, blank=True)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def may_reveal(self, field: str) -> bool:
        return self.role in SENSITIVE_FIELDS.get(field, ())

    @property
    def may_edit(self) -> bool:
        return self.role in EDITORS


class ApiToken(models.Model):
    """A bearer token for programs calling the API as a user. Only the SHA-256 of the token is stored, so a
    leaked database does not leak working tokens; the plaintext is shown once, when issued (see tokens.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=60, help_text=_("用途，如“县统计报表脚本”"))
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.prefix}… {self.name}"

    @property
    def area_code(self) -> str:
        return self.user.area_id or ""


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看敏感信息")
    EXPORT = "export", _("导出")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    IMPORT = "import", _("导入")
    LOCKOUT = "lockout", _("登录锁定")
    UNLOCK = "unlock", _("解除登录锁定")


class AuditEntry(models.Model):
    """Append-only. `changes` maps each field to [before, after]; for a reveal, the field revealed."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    area_code = models.CharField(_("区划代码"), max_length=15, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    via = models.CharField(_("途径"), max_length=10, blank=True, help_text=_("ui / api / admin / cli / import"))

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.model}#{self.object_id}"


class LockoutQuerySet(models.QuerySet):
    def restrict(self, user):
        """The attempts of users in the viewer's scope (an attempt names a username, not an area). Names that
        belong to no user only for a superuser who sees everything."""
        if scope_prefix(user) == "":
            return self
        return self.filter(username__in=User.objects.restrict(user).values("username"))


class Lockout(AccessAttempt):
    """django-axes's record of a username's failed logins from one address (its lockout, once they reach the
    limit), as the admin shows it: scoped by the user's area, lifted through accounts.lockout (audited)."""

    objects = LockoutQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        ordering = ["-attempt_time"]

    def __str__(self):
        return f"{self.username} @ {self.ip_address}"

    @property
    def user(self):
        return User.objects.filter(username=self.username).select_related("area").first()

    @property
    def area_code(self) -> str:
        user = self.user
        return (user.area_id or "") if user else ""
