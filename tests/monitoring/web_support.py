"""What the monitoring page, API and browser tests share: a movable business date and one case built through the
services up to a chosen step (the page tests then act on it as the clerks would)."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.monitoring.codes import Channel, Decision, EvidenceKind, NoticeKind, StepCode
from fupin.monitoring.services import clues, evidence, notices, procedure
from tests.factories import VILLAGE_A1

#: a Monday well inside a year the holiday calendar knows
START = date(2024, 3, 4)


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch):
    """clock(day): timezone.localdate() (what the views pass as the business date) answers `day`."""
    real = timezone.localdate

    def set_day(day):
        monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: day if value is None else real(value))
        return day

    return set_day


def upload(name="排查表.pdf", content=b"%PDF-1.4 test"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def new_clue(user, household, *, on=START, village=VILLAGE_A1):
    return clues.record_clue(
        user,
        village_code=village,
        household=household,
        channel=Channel.CADRE_VISIT,
        risk_types=["01"],
        description="户主住院，自付医疗费用较高",
        reported_on=on,
        via="test",
    )


def case_at(users, household, step, *, on=START, village=VILLAGE_A1):
    """An identification case of `household` taken through the services, one day a step, up to `step`; returns
    (case, the day it reached that step)."""
    village_user = users["village_a1"] if village == VILLAGE_A1 else users["village_b1"]
    county = users["county"]
    clue = new_clue(village_user, household, on=on, village=village)
    case = clues.accept_clue(county, clue, on=on, category="2", via="test")
    day = on
    while case.step != step:
        at = case.step
        if at == StepCode.VERIFY:
            evidence.add_evidence(county, case, kind=EvidenceKind.SURVEY, upload=upload(), via="test")
            evidence.add_evidence(county, case, kind=EvidenceKind.CONSENT, upload=upload("承诺授权书.pdf"), via="test")
        if at == StepCode.NOTICE:
            notices.post_notice(county, village_code=village, kind=NoticeKind.VILLAGE, case_ids=[case.pk],
                                posted_on=day, contact="村委会 张主任", via="test")  # fmt: skip
            day += timedelta(days=6)
        if at == StepCode.ANNOUNCE:
            notices.post_notice(county, village_code=village, kind=NoticeKind.ANNOUNCEMENT, case_ids=[case.pk],
                                posted_on=day, contact="村委会 张主任", via="test")  # fmt: skip
        day += timedelta(days=1)
        procedure.act(county, case, step=at, decision=Decision.PASS, on=day, via="test")
        case.refresh_from_db()
    return case, day
