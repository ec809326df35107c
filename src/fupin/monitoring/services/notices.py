"""Notices for a village's board (村内公示 and 结果公告): posted for the cases at that step, printed as a page or a PDF.

What a notice shows is `notice_rows`: group, head's name, persons, category or matter, risk type — never ID numbers,
phones, bank accounts or health details (DOMAIN.md §4). The village notice's objection period runs
`notice_min_days` from the posting date (the pack's unit); its last day is `objection_until`, and the notice step
passes only after it (procedure.pass_refusal)."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.core.errors import NotFound
from fupin.registry import codes as registry_codes
from fupin.registry import services as registry

from .. import codes
from ..models import Case, Notice
from . import deadlines
from .common import MonitoringRefused, check_business_date, require_role, required_text, village_of

#: the step a notice of each kind is posted at, and who posts it (those who take that step)
NOTICE_STEP = {codes.NoticeKind.VILLAGE: codes.StepCode.NOTICE, codes.NoticeKind.ANNOUNCEMENT: codes.StepCode.ANNOUNCE}
POSTERS = next(r.roles for r in codes.PROCEDURES[codes.CaseKind.IDENTIFY] if r.code == codes.StepCode.NOTICE)
#: the title's matter for each kind of case: 关于…的公示 / 公告
MATTER = {
    codes.CaseKind.IDENTIFY: gettext_lazy("防止返贫监测对象识别"),
    codes.CaseKind.ELIMINATE: gettext_lazy("防止返贫监测对象风险消除"),
}
_CONTACT_MAX = Notice._meta.get_field("contact").max_length
_ISSUER_MAX = Notice._meta.get_field("issuer").max_length


def current_notice(case: Case, kind) -> Notice | None:
    """The latest notice of `kind` listing the case and posted since the case reached its present step: a case sent
    back and returned to the step needs a new one."""
    found = case.notices.filter(kind=kind, posted_on__gte=case.step_since)
    return found.order_by("-posted_on", "-id").first()


def _default_issuer(village, kind) -> str:
    """The village committee posts the village notice; the result is announced in the township's name."""
    if kind == codes.NoticeKind.ANNOUNCEMENT and village.parent is not None:
        return _("%(township)s人民政府") % {"township": village.parent.name}
    return _("%(village)s村民委员会") % {"village": village.name}


@transaction.atomic
def post_notice(user, *, village_code, kind, case_ids, posted_on, contact, issuer="", via="ui") -> Notice:
    """Record a notice posted on the village board for cases of one kind at its step (村内公示: at 村内公示;
    结果公告: at 结果公告). A village notice's objection period ends `notice_min_days` after posting."""
    require_role(user, POSTERS, _("张贴公示公告"))
    village = village_of(user, village_code)
    if kind not in codes.NoticeKind.values:
        raise MonitoringRefused(_("请选择公示类型"), field="kind")
    kind = codes.NoticeKind(kind)
    step = NOTICE_STEP[kind]
    contact = required_text(contact, _("请填写异议受理联系人及电话"), field="contact", limit=_CONTACT_MAX)
    issuer = str(issuer or "").strip()[:_ISSUER_MAX] or _default_issuer(village, kind)
    ids = list(dict.fromkeys(int(pk) for pk in case_ids or ()))
    if not ids:
        raise MonitoringRefused(_("请选择要公示的事项"), field="case_ids")
    cases = list(Case.objects.restrict(user).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(cases) != len(ids):
        raise NotFound(_("有 %(count)s 个事项不存在或不在您的管辖范围内") % {"count": len(ids) - len(cases)})
    elsewhere = [case for case in cases if case.village_id != village.code]
    if elsewhere:
        raise MonitoringRefused(_("所选事项须都属于“%(village)s”") % {"village": village.name}, field="case_ids")
    not_at_step = [case for case in cases if case.state != codes.CaseState.OPEN or case.step != step]
    if not_at_step:
        raise MonitoringRefused(
            _("%(count)s 个事项不在“%(step)s”环节，不能列入本次%(kind)s")
            % {"count": len(not_at_step), "step": codes.StepCode(step).label, "kind": kind.label},
            field="case_ids",
            details={"cases": [case.pk for case in not_at_step]},
        )
    case_kinds = {case.kind for case in cases}
    if len(case_kinds) > 1:
        raise MonitoringRefused(_("识别与风险消除事项须分别公示"), field="case_ids")
    started = max(case.step_since for case in cases)
    check_business_date(posted_on, not_before=started, before_label=_("事项进入本环节的日期"), field="posted_on")
    until = None
    if kind == codes.NoticeKind.VILLAGE:
        until = deadlines.clock_for(village.code, posted_on).after(posted_on, "notice_min_days")
    notice = Notice.objects.create(
        village=village,
        kind=kind,
        case_kind=case_kinds.pop(),
        posted_on=posted_on,
        objection_until=until,
        contact=contact,
        issuer=issuer,
        created_by=user if getattr(user, "pk", None) else None,
    )
    notice.cases.set(cases)
    changes = {**audit.snapshot(notice), "cases": [case.pk for case in cases]}
    audit.record(user, Action.CREATE, notice, changes=changes, via=via)
    return notice


def _matter(case: Case) -> str:
    if case.kind == codes.CaseKind.ELIMINATE:
        way = case.get_elimination_way_display() if case.elimination_way else ""
        return _("风险消除（%(way)s）") % {"way": way} if way else _("风险消除")
    return case.get_category_display() if case.category else _("监测对象（类别待定）")


def notice_rows(notice: Notice) -> list[dict]:
    """The notice's lines as the board shows them: nothing sensitive (no ID number, phone, bank account, health)."""
    rows = []
    cases = notice.cases.select_related("household", "clue").order_by("household__group_name", "household__number")
    for case in cases:
        household = case.household
        if household is not None:
            persons = registry.members_present_on(household.members.all(), notice.posted_on).count()
            group, head = household.group_name, household.head_name
        else:
            persons, group, head = 1, "", case.clue.person_name if case.clue else ""
        risks = [str(registry_codes.RiskType(code).label) for code in case.risk_types or [case.risk_type]]
        rows.append(
            {
                "case_id": case.pk,
                "group": group,
                "head_name": head,
                "persons": persons,
                "matter": _matter(case),
                "risk_types": "、".join(risks),
            }
        )
    return rows


def notice_context(notice: Notice) -> dict:
    """What the printable page (monitoring/notice_print.html) shows, for the HTML view and the PDF alike."""
    village = notice.village
    kind_word = _("公示") if notice.kind == codes.NoticeKind.VILLAGE else _("公告")
    matter = MATTER.get(notice.case_kind, "")
    return {
        "notice": notice,
        "village": village,
        "township": village.parent,
        "title": _("关于%(village)s%(matter)s的%(kind)s")
        % {"village": village.name, "matter": matter, "kind": kind_word},
        "rows": notice_rows(notice),
        "is_village_notice": notice.kind == codes.NoticeKind.VILLAGE,
    }


def notice_html(notice: Notice) -> str:
    return render_to_string("monitoring/notice_print.html", notice_context(notice))


def notice_pdf(user, notice, *, via="ui") -> bytes:
    """The notice as a PDF for printing (WeasyPrint, Noto CJK fonts), for a user of its village's area; audited as an
    export."""
    from weasyprint import HTML  # heavy (Pango, fonts): loaded only when a PDF is asked for

    found = Notice.objects.restrict(user).select_related("village__parent").filter(pk=getattr(notice, "pk", notice))
    notice = found.first()
    if notice is None:
        raise NotFound(_("未找到该公示公告"))
    pdf = HTML(string=notice_html(notice)).write_pdf()
    audit.record(user, Action.EXPORT, notice, changes={"format": "pdf", "cases": notice.cases.count()}, via=via)
    return pdf
