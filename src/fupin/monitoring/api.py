"""Monitoring endpoints: the inboxes' clues and cases (paged, masked), recording a clue, accepting or rejecting
it, acting on a case, posting a notice. Thin over monitoring.services (scope, order, deadlines and audit are
theirs); every refusal leaves in the one error shape (fupin.api's handlers)."""

from django.utils import timezone
from ninja import Query, Router, Status

from fupin.api_common import ERRORS, paginate
from fupin.areas.scoping import get_scoped
from fupin.registry.models import Household

from .filters import inbox_filters
from .models import Case, Clue
from .schemas import (
    AcceptIn,
    ActIn,
    CaseOut,
    CasePage,
    ClueIn,
    ClueOut,
    CluePage,
    EliminationIn,
    InboxQuery,
    NoticeIn,
    NoticeOut,
    RejectIn,
    ReverseIn,
)
from .services import clues, elimination, notices, procedure
from .services.inbox import BOXES, box_for, box_items

router = Router(tags=["防返贫监测"])
VIA = "api"


def _inbox(user, query: InboxQuery, *, clue_box: bool):
    """The box asked for (of the caller's role; a clue box for clues, a case box for cases), filtered."""
    box = box_for(user, query.box)
    if box.clues != clue_box:
        box = BOXES["clues"] if clue_box else BOXES["open"]
    today = timezone.localdate()
    params = query.model_dump(include={"area", "kind", "step", "channel", "overdue"})
    return inbox_filters(user, box, box_items(user, box, today), params, today=today).qs.select_related("household")


@router.get("/monitoring/clues", response={200: CluePage, **ERRORS}, summary="待受理线索")
def list_clues(request, query: Query[InboxQuery]):
    """Pending clues in the caller's area, soonest acceptance deadline first (ID numbers and phones masked)."""
    return paginate(_inbox(request.auth, query, clue_box=True), query)


@router.get("/monitoring/clues/{int:clue_id}", response={200: ClueOut, **ERRORS}, summary="线索详情")
def get_clue(request, clue_id: int):
    return get_scoped(Clue.objects, request.auth, pk=clue_id)


@router.post("/monitoring/clues", response={201: ClueOut, **ERRORS}, summary="登记线索")
def record_clue(request, payload: ClueIn):
    """A clue of a registered household (household_id) or of a person not yet registered (name and ID number)."""
    household = get_scoped(Household.objects, request.auth, pk=payload.household_id) if payload.household_id else None
    clue = clues.record_clue(
        request.auth, village_code=payload.village, household=household, person_name=payload.person_name,
        id_number=payload.id_number, phone=payload.phone, channel=payload.channel, via_channel=payload.via_channel,
        risk_types=payload.risk_types, description=payload.description, reported_on=payload.reported_on, via=VIA,
    )  # fmt: skip
    return Status(201, clue)


@router.post("/monitoring/clues/{int:clue_id}/accept", response={201: CaseOut, **ERRORS}, summary="受理线索（立案）")
def accept_clue(request, clue_id: int, payload: AcceptIn):
    clue = get_scoped(Clue.objects, request.auth, pk=clue_id)
    case = clues.accept_clue(request.auth, clue, on=payload.on, category=payload.category, via=VIA)
    return Status(201, case)


@router.post("/monitoring/clues/{int:clue_id}/reject", response={200: ClueOut, **ERRORS}, summary="不予受理线索")
def reject_clue(request, clue_id: int, payload: RejectIn):
    clue = get_scoped(Clue.objects, request.auth, pk=clue_id)
    return clues.reject_clue(request.auth, clue, on=payload.on, reason=payload.reason, via=VIA)


@router.get("/monitoring/cases", response={200: CasePage, **ERRORS}, summary="监测事项待办")
def list_cases(request, query: Query[InboxQuery]):
    """Open cases of a box of the caller's role (verify, notice, township, crosscheck, approve, overdue, open),
    soonest step deadline first."""
    return paginate(_inbox(request.auth, query, clue_box=False), query)


@router.get("/monitoring/cases/{int:case_id}", response={200: CaseOut, **ERRORS}, summary="监测事项详情")
def get_case(request, case_id: int):
    return get_scoped(Case.objects, request.auth, pk=case_id)


@router.post("/monitoring/cases/{int:case_id}/act", response={200: CaseOut, **ERRORS}, summary="办理当前环节")
def act(request, case_id: int, payload: ActIn):
    """通过 (pass: to the next step, at the last one the registry's status event), 不通过 (reject: the case ends with
    the comment as reason) or 退回 (back one step, comment required) on the case's current step."""
    case = get_scoped(Case.objects, request.auth, pk=case_id)
    procedure.act(
        request.auth, case, step=payload.step, decision=payload.decision, on=payload.on, comment=payload.comment,
        via=VIA,
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


@router.post("/monitoring/notices", response={201: NoticeOut, **ERRORS}, summary="张贴公示公告")
def post_notice(request, payload: NoticeIn):
    notice = notices.post_notice(
        request.auth, village_code=payload.village, kind=payload.kind, case_ids=payload.case_ids,
        posted_on=payload.posted_on, contact=payload.contact, issuer=payload.issuer, via=VIA,
    )  # fmt: skip
    return Status(201, notice)


@router.post("/monitoring/eliminations", response={201: list[CaseOut], **ERRORS}, summary="启动风险消除")
def start_elimination(request, payload: EliminationIn):
    """An elimination case for each household, all or none: each must be monitored, in the caller's area and meet
    the pack's elimination rules on `on` (judged by the engine; a refusal lists the rules it fails)."""
    return Status(
        201,
        elimination.start_elimination(
            request.auth, payload.households, on=payload.on, elimination_way=payload.elimination_way, via=VIA
        ),
    )


@router.post("/monitoring/cases/{int:case_id}/reverse", response={200: CaseOut, **ERRORS}, summary="撤销风险消除")
def reverse_elimination(request, case_id: int, payload: ReverseIn):
    """撤销风险消除 on an approved elimination case whose household is still marked eliminated: monitored again."""
    case = get_scoped(Case.objects.select_related("household"), request.auth, pk=case_id)
    elimination.reverse_case(request.auth, case, on=payload.on, reason=payload.reason, via=VIA)
    return case
