"""API of assistance: a household's pairings and responsible persons (read), pairing a cadre, ending a pairing,
assigning or changing a responsible person. Thin over services.pairings / services.responsibility (scope, dates,
the county's roles and audit are theirs); every refusal leaves in the one error shape (fupin.api's handlers)."""

from datetime import date

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from fupin.api_common import ERRORS, Input
from fupin.areas.scoping import get_scoped
from fupin.registry.models import Household

from ..models import Pairing, Responsibility
from ..services import pairings, responsibility
from ..services.roles import responsible_roles

router = Router(tags=["帮扶"])
VIA = "api"


class PairingOut(Schema):
    id: int
    household: int = Field(..., title="农户", validation_alias="household_id")
    cadre: int = Field(..., title="帮扶干部", validation_alias="cadre_id")
    cadre_name: str = Field(..., title="帮扶干部姓名")
    started_on: date = Field(..., title="结对日期")
    ended_on: date | None = Field(None, title="解除日期")
    end_reason: str = Field(..., title="解除原因")

    @staticmethod
    def resolve_cadre_name(obj):
        return obj.cadre.name


class ResponsibilityOut(Schema):
    id: int
    household: int = Field(..., title="农户", validation_alias="household_id")
    role: str = Field(..., title="责任人类别代码")
    role_name: str = Field(..., title="责任人类别")
    cadre: int = Field(..., title="责任人", validation_alias="cadre_id")
    cadre_name: str = Field(..., title="责任人姓名")
    started_on: date = Field(..., title="起始日期")
    ended_on: date | None = Field(None, title="终止日期")
    reason: str = Field(..., title="指定/变更原因")
    automatic: bool = Field(..., title="纳入监测时自动指定")

    @staticmethod
    def resolve_cadre_name(obj):
        return obj.cadre.name


class RoleOut(Schema):
    code: str = Field(..., title="代码")
    name: str = Field(..., title="名称")
    default_from: str = Field(..., title="纳入监测时默认指定")


class AssistanceOut(Schema):
    household: int = Field(..., title="农户")
    on: date = Field(..., title="日期")
    roles: list[RoleOut] = Field(..., title="本县的帮扶责任人类别")
    responsible: list[ResponsibilityOut] = Field(..., title="当日的帮扶责任人")
    missing: list[str] = Field(..., title="当日未指定的责任人类别代码")
    history: list[ResponsibilityOut] = Field(..., title="帮扶责任人记录")
    pairings: list[PairingOut] = Field(..., title="结对帮扶（当前和已解除）")


class PairIn(Input):
    cadre: int = Field(..., title="帮扶干部")
    started_on: date = Field(..., title="结对日期")


class EndPairingIn(Input):
    on: date = Field(..., title="解除日期")
    reason: str = Field(..., title="解除原因", max_length=200)


class AssignIn(Input):
    role: str = Field(..., title="责任人类别代码", max_length=20)
    cadre: int = Field(..., title="责任人")
    started_on: date = Field(..., title="起始日期")
    reason: str = Field("", title="指定/变更原因（更换责任人时必填）", max_length=200)


@router.get(
    "/households/{int:household_id}/assistance", response={200: AssistanceOut, **ERRORS}, summary="农户帮扶情况"
)
def household_assistance(request, household_id: int, on: date | None = None):
    """The household's responsible persons on `on` (today by default), the roles nobody held, every
    responsibility row, and its pairings current and ended."""
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    on = on or timezone.localdate()
    roles = responsible_roles(household.village_id)
    held = responsibility.responsible_on(household, on)
    return {
        "household": household.pk,
        "on": on,
        "roles": [{"code": r.code, "name": r.name, "default_from": r.default_from} for r in roles],
        "responsible": [held[r.code] for r in roles if r.code in held],
        "missing": [r.code for r in roles if r.code not in held],
        "history": list(responsibility.history(household)),
        "pairings": list(Pairing.objects.filter(household=household).select_related("cadre").order_by("-started_on")),
    }


@router.post("/households/{int:household_id}/pairings", response={201: PairingOut, **ERRORS}, summary="登记结对帮扶")
def pair(request, household_id: int, payload: PairIn):
    """Pair an active cadre (of the village, its township or its county) with the household from `started_on`."""
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    return Status(201, pairings.pair(request.auth, household, payload.cadre, started_on=payload.started_on, via=VIA))


@router.post("/pairings/{int:pairing_id}/end", response={200: PairingOut, **ERRORS}, summary="解除结对帮扶")
def end_pairing(request, pairing_id: int, payload: EndPairingIn):
    pairing = get_scoped(Pairing.objects.select_related("cadre"), request.auth, pk=pairing_id)
    return pairings.end_pairing(request.auth, pairing, on=payload.on, reason=payload.reason, via=VIA)


@router.post(
    "/households/{int:household_id}/responsible",
    response={201: ResponsibilityOut, **ERRORS},
    summary="指定/变更帮扶责任人",
)
def assign(request, household_id: int, payload: AssignIn):
    """Give a role to a cadre from `started_on`; a role already held changes hands (the old row ends the day
    before, a reason is required)."""
    household = get_scoped(Household.objects, request.auth, pk=household_id)
    row = responsibility.assign(
        request.auth, household, payload.role, payload.cadre, started_on=payload.started_on, reason=payload.reason,
        via=VIA,
    )  # fmt: skip
    return Status(201, Responsibility.objects.select_related("cadre").get(pk=row.pk))
