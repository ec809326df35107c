"""Steps of a case, taken as the clerks take them, for tests that need a case at some step."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.monitoring import codes
from fupin.monitoring.models import Case
from fupin.monitoring.services import clues, notices, procedure

S = codes.StepCode
PASS = codes.Decision.PASS


def upload(name="排查表.pdf", content=b"%PDF-1.4 scanned form"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def clue_and_case(users, household, *, reported_on, accepted_on=None, risk_type="01"):
    """A clue from a visit and its acceptance (both by the county clerk): the case at 入户核实."""
    clue = clues.record_clue(
        users["county"],
        village_code=household.village_id,
        household=household,
        channel=codes.Channel.CADRE_VISIT,
        risk_types=[risk_type],
        reported_on=reported_on,
    )
    return clues.accept_clue(users["county"], clue, on=accepted_on or reported_on)


def add_verify_evidence(user, case, kinds=(codes.EvidenceKind.SURVEY, codes.EvidenceKind.CONSENT)):
    for kind in kinds:
        procedure.add_evidence(user, case, kind=kind, upload=upload(f"{kind}.pdf"))


def advance(users, case, to_step, *, on):
    """Take the case's steps (county clerk, who may take all of them) on `on` until it stands at `to_step`; the
    notice is posted `on` minus its period so that it has ended by `on`."""
    county = users["county"]
    while True:
        case = Case.objects.get(pk=case.pk)
        if case.step == to_step:
            return case
        if case.step == S.VERIFY:
            add_verify_evidence(county, case)
        if case.step == S.NOTICE and not case.notices.exists():
            raise AssertionError("post the notice before advancing past 村内公示")
        if case.step == S.COUNTY and case.kind == codes.CaseKind.IDENTIFY and not case.category:
            procedure.set_category(county, case, category="2")
        if case.step == S.ANNOUNCE:
            notices.post_notice(
                county,
                village_code=case.village_id,
                kind="announcement",
                case_ids=[case.pk],
                posted_on=on,
                contact="村委会 0359-1234567",
            )
        procedure.act(county, case, step=case.step, decision=PASS, on=on)


def post_village_notice(users, case, *, posted_on):
    return notices.post_notice(
        users["county"],
        village_code=case.village_id,
        kind="village",
        case_ids=[case.pk],
        posted_on=posted_on,
        contact="村委会 0359-1234567",
    )


def after(day: date, days: int) -> date:
    return day + timedelta(days=days)
