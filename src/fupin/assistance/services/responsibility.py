"""Responsible persons (帮扶责任人): each role of the county's (services.roles) held by one cadre over a period.
Changing the person ends the open row the day before the new one starts, with the reason: a change with a
record, so `responsible_on` reads who held each role on any day. On entering monitoring each role whose
default_from names a source falls to that cadre (`assign_defaults`, called by hooks on the registry's event)."""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.registry.codes import EventKind

from .. import codes
from ..models import Cadre, Responsibility, SetPost, TeamMember, TeamRole
from .common import KEEPERS, AssistanceRefused, check_date, require_role
from .pairings import cadre_for, household_for, pairings_on
from .roles import RoleSpec, responsible_roles

logger = logging.getLogger(__name__)
AUTOMATIC_REASON = "纳入监测时自动指定"
_REASON_MAX = Responsibility._meta.get_field("reason").max_length
_SHOWN = ["village", "household", "role", "role_name", "cadre", "started_on", "ended_on", "reason", "automatic"]


def role_of(village_code: str, role_code) -> RoleSpec:
    """The county's role with this code; another code is refused with the roles it has."""
    roles = responsible_roles(village_code)
    for role in roles:
        if role.code == role_code:
            return role
    raise AssistanceRefused(
        _("未知的帮扶责任人类别“%(code)s”，本县的类别为：%(roles)s")
        % {"code": role_code, "roles": "、".join(r.name for r in roles)},
        field="role",
    )


def responsible_on(household, on: date) -> dict[str, Responsibility]:
    """Who held each role of the household on that day, by role code (a role nobody held is absent)."""
    found = (
        Responsibility.objects.filter(household=household, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("cadre")
        .order_by("role", "-started_on")
    )
    held = {}
    for row in found:
        held.setdefault(row.role, row)
    return held


def history(household):
    """Every responsibility row of the household, newest first within each role."""
    return (
        Responsibility.objects.filter(household=household)
        .select_related("cadre", "recorded_by")
        .order_by("role", "-started_on")
    )


def _create(user, household, role: RoleSpec, cadre, started_on, reason, automatic, via) -> Responsibility:
    row = Responsibility.objects.create(
        village_id=household.village_id,
        household=household,
        role=role.code,
        role_name=role.name,
        cadre=cadre,
        started_on=started_on,
        reason=reason,
        automatic=automatic,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    audit.record(user, Action.CREATE, row, changes=audit.snapshot(row, fields=_SHOWN), via=via)
    return row


@transaction.atomic
def assign(user, household, role_code, cadre, *, started_on, reason, via="ui") -> Responsibility:
    """Give a role of the household to a cadre from `started_on`. A role already held is a change: its open row
    ends the day before (so the new start must be after the old one), and the reason is required."""
    require_role(user, KEEPERS, _("指定帮扶责任人"))
    household = household_for(user, household, lock=True)
    role = role_of(household.village_id, role_code)
    cadre = cadre_for(user, household, cadre)
    check_date(started_on, field="started_on", label=_("起始日期"))
    reason = str(reason or "").strip()
    if len(reason) > _REASON_MAX:
        raise AssistanceRefused(_("原因不能超过%(max)s个字") % {"max": _REASON_MAX}, field="reason")
    rows = Responsibility.objects.select_for_update().filter(household=household, role=role.code)
    current = rows.filter(ended_on__isnull=True).first()
    latest_end = rows.exclude(ended_on=None).order_by("-ended_on").values_list("ended_on", flat=True).first()
    if latest_end is not None and started_on <= latest_end:
        raise AssistanceRefused(
            _("起始日期%(date)s不晚于该类责任人上一任的终止日期（%(end)s）") % {"date": started_on, "end": latest_end},
            field="started_on",
        )
    if current is not None:
        if current.cadre_id == cadre.pk:
            raise AssistanceRefused(
                _("%(cadre)s已是该户的%(role)s") % {"cadre": cadre.name, "role": role.name}, field="cadre"
            )
        if not reason:
            raise AssistanceRefused(_("变更帮扶责任人须填写变更原因"), field="reason")
        if started_on <= current.started_on:
            raise AssistanceRefused(
                _("变更日期%(date)s须晚于现任%(cadre)s的起始日期（%(start)s）")
                % {"date": started_on, "cadre": current.cadre.name, "start": current.started_on},
                field="started_on",
            )
        before = audit.snapshot(current, fields=_SHOWN)
        current.ended_on = started_on - timedelta(days=1)
        current.save(update_fields=["ended_on"])
        changes = audit.diff(before, audit.snapshot(current, fields=_SHOWN))
        audit.record(user, Action.UPDATE, current, changes=changes, via=via)
    return _create(user, household, role, cadre, started_on, reason, False, via)


# ── on entering monitoring ───────────────────────────────────────────────────────────────────────────────────────


def _open_on(on: date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on}))


def _set_post_cadre(village_code: str, part: str, on: date):
    post = (
        SetPost.objects.filter(_open_on(on, "started_on", "ended_on"), village_id=village_code, part=part)
        .exclude(cadre=None)
        .select_related("cadre")
        .order_by("-started_on", "-id")
        .first()
    )
    return post.cadre if post else None


def _team_leader(village_code: str, on: date):
    member = (
        TeamMember.objects.filter(
            _open_on(on, "joined_on", "left_on"),
            _open_on(on, "team__started_on", "team__ended_on"),
            team__village_id=village_code,
            role=TeamRole.LEADER,
        )
        .select_related("cadre")
        .order_by("-team__batch", "joined_on", "id")
        .first()
    )
    return member.cadre if member else None


def _paired_cadre(household, on: date):
    pairings = pairings_on(household, on)
    return pairings[0].cadre if pairings else None


def default_cadre(household, source: str, on: date) -> Cadre | None:
    """The cadre a role with this default_from falls to on the day, or None (no source: the role stays empty)."""
    if source == codes.DefaultFrom.PAIRED:
        cadre = _paired_cadre(household, on)
    elif source == codes.DefaultFrom.FIRST_SECRETARY:
        cadre = _set_post_cadre(household.village_id, codes.SetPart.FIRST_SECRETARY, on)
    elif source == codes.DefaultFrom.CONTACT_LEADER:
        cadre = _set_post_cadre(household.village_id, codes.SetPart.CONTACT_LEADER, on)
    elif source == codes.DefaultFrom.TEAM_LEADER:
        cadre = _team_leader(household.village_id, on)
    else:
        cadre = None
    return cadre if cadre is not None and cadre.active else None


@transaction.atomic
def assign_defaults(household, on: date, *, user=None, via="auto") -> list[Responsibility]:
    """On entering monitoring on `on`: each of the county's roles not held now, whose default_from names a
    source, falls to that source's cadre (automatic, reason 纳入监测时自动指定). A role already held (or held on
    a later day) keeps its person (a household monitored again); a missing source leaves the role empty for the
    daily check."""
    made = []
    rows = Responsibility.objects.filter(household=household)
    held = set(rows.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)).values_list("role", flat=True))
    for role in responsible_roles(household.village_id):
        if role.code in held or role.default_from == codes.DefaultFrom.NONE:
            continue
        cadre = default_cadre(household, role.default_from, on)
        if cadre is not None:
            made.append(_create(user, household, role, cadre, on, AUTOMATIC_REASON, True, via))
    return made


def on_status_event(sender, instance, created=False, raw=False, **kwargs):
    """post_save of a registry StatusEvent: a new 纳入监测 assigns the default responsible persons. It runs inside
    record_event's transaction, in a savepoint of its own (assign_defaults is atomic): a failure here rolls back
    only the assignment and is logged, never refusing the registry's event. A bulk load (raw) does nothing."""
    if raw or not created or instance.kind != EventKind.MONITORED:
        return
    try:
        assign_defaults(instance.household, instance.date, user=instance.recorded_by, via="auto")
    except Exception:  # the registry's event must stand whatever goes wrong here; the check lists the gap
        logger.warning("纳入监测时自动指定帮扶责任人失败：农户 %s", instance.household_id, exc_info=True)
