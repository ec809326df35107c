"""Steps the rules refuse, each in Chinese and before anything is written: no targets, no benefit mechanism, a
funding plan that does not add up, out of order, another township's project, the wrong role, a notice not yet run,
an unmet criterion; and the implementation's own (progress going back, over-paying a source, a file that lies)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.core.errors import NotFound, PermissionDenied
from fupin.funds.models import Disbursement, ProjectFile, ProjectStep
from fupin.funds.services import disbursements, implementation, project_files, projects
from fupin.funds.services.common import FundsRefused
from tests.factories import VILLAGE_B1
from tests.funds.projects_helpers import ALL_MET, WALK, proposal, sources, walk_to_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(make_household):
    return make_household()


def _to_plan_step(users, project):
    for step, who, on, notice in WALK[:-1]:
        projects.take_step(
            users[who], project, step=step, decision="approve", on=on, criteria=ALL_MET, notice_from=notice
        )


def _refused_at_plan(users, project, message):
    _to_plan_step(users, project)
    written = ProjectStep.objects.count()
    with pytest.raises(FundsRefused, match=message):
        projects.take_step(users["county"], project, step="plan", decision="approve", on=date(2025, 3, 28))
    project.refresh_from_db()
    assert (project.stage, project.step, ProjectStep.objects.count()) == ("proposed", "plan", written)


def test_without_targets_it_cannot_enter_the_plan(users, household):
    project = projects.propose(users["village_a1"], **proposal(household, targets=[]))
    _refused_at_plan(users, project, "没有绩效目标")


def test_without_a_benefit_mechanism_it_cannot_enter_the_plan(users, household):
    project = projects.propose(users["village_a1"], **proposal(household, benefit_mechanism="  "))
    _refused_at_plan(users, project, "没有联农带农机制")


def test_a_funding_plan_short_of_the_cost_cannot_enter_the_plan(users, household):
    central, own = sources()
    funding = [{"source_id": central.pk, "amount": "100"}, {"source_id": own.pk, "amount": "20.4999"}]
    project = projects.propose(users["village_a1"], **proposal(household, funding=funding))
    _refused_at_plan(users, project, "合计 120.4999 万元，与投资估算 120.5000 万元不符")


def test_out_of_order_is_refused(users, household):
    project = projects.propose(users["village_a1"], **proposal(household))
    with pytest.raises(FundsRefused, match="当前在“户申请”环节，不能办理“乡统筹”"):
        projects.take_step(users["township_a"], project, step="township", decision="approve", on=date(2025, 3, 1))
    assert not ProjectStep.objects.exists()


def test_another_townships_project_is_not_found(users, make_household):
    other = make_household(VILLAGE_B1)
    project = projects.propose(users["village_b1"], **proposal(other, area_code=VILLAGE_B1))
    projects.take_step(users["village_b1"], project, step="apply", decision="approve", on=date(2025, 3, 1))
    with pytest.raises(NotFound, match="未找到该项目"):
        projects.take_step(users["township_a"], project, step="village", decision="approve", on=date(2025, 3, 13))
    with pytest.raises(NotFound):
        projects.propose(users["township_a"], **proposal(area_code=VILLAGE_B1))
    assert ProjectStep.objects.count() == 1


def test_the_wrong_role_is_refused(users, household):
    project = projects.propose(users["village_a1"], **proposal(household))
    for step, who, on, notice in WALK[:3]:
        projects.take_step(users[who], project, step=step, decision="approve", on=on, notice_from=notice)
    with pytest.raises(PermissionDenied, match="不能办理“乡统筹”环节"):
        projects.take_step(
            users["village_a1"], project, step="township", decision="approve", on=date(2025, 3, 15), criteria=ALL_MET
        )
    with pytest.raises(PermissionDenied):
        projects.propose(users["cadre_a1"], **proposal(household))
    assert ProjectStep.objects.count() == 3


def test_a_notice_is_passed_only_after_its_last_day(users, household):
    project = projects.propose(users["village_a1"], **proposal(household))
    projects.take_step(users["village_a1"], project, step="apply", decision="approve", on=date(2025, 3, 1))
    with pytest.raises(FundsRefused, match="至 2025-03-12 结束"):
        projects.take_step(
            users["village_a1"],
            project,
            step="village",
            decision="approve",
            on=date(2025, 3, 12),
            notice_from=date(2025, 3, 2),
        )
    with pytest.raises(FundsRefused, match="公示开始日期"):
        projects.take_step(users["village_a1"], project, step="village", decision="approve", on=date(2025, 3, 13))
    projects.take_step(
        users["village_a1"],
        project,
        step="village",
        decision="approve",
        on=date(2025, 3, 13),
        notice_from=date(2025, 3, 2),
    )


def test_an_unmet_or_unanswered_criterion_is_refused(users, household):
    project = projects.propose(users["village_a1"], **proposal(household))
    for step, who, on, notice in WALK[:3]:
        projects.take_step(users[who], project, step=step, decision="approve", on=on, notice_from=notice)
    with pytest.raises(FundsRefused, match="“可行性”不符合"):
        projects.take_step(
            users["township_a"],
            project,
            step="township",
            decision="approve",
            on=date(2025, 3, 15),
            criteria={**ALL_MET, "可行性": False},
        )
    with pytest.raises(FundsRefused, match="“绩效目标”未填写"):
        projects.take_step(
            users["township_a"],
            project,
            step="township",
            decision="approve",
            on=date(2025, 3, 15),
            criteria={k: v for k, v in ALL_MET.items() if k != "绩效目标"},
        )
    with pytest.raises(FundsRefused, match="须填写意见"):
        projects.take_step(
            users["township_a"], project, step="township", decision="return", on=date(2025, 3, 15), criteria=ALL_MET
        )


def test_a_proposal_with_bad_values_is_refused(users, household):
    for changes, message in (
        ({"cost": "1.23456"}, "最多保留四位小数"),
        ({"name": ""}, "请填写项目名称"),
        ({"planned_quantity": "0"}, "应大于 0"),
        ({"unit": "furlong"}, "请选择计量单位"),
        ({"targets": [{"indicator": "长度", "target": ""}]}, "第 1 项绩效目标"),
        ({"planned_end": date(2025, 3, 1)}, "计划完工日期早于计划开工日期"),
        ({"beneficiaries": [{"household_number": "nope", "way": "wage"}]}, "不在项目地点"),
    ):
        with pytest.raises(FundsRefused, match=message):
            projects.propose(users["village_a1"], **proposal(household, **changes))


def test_implementation_refusals(users, household):
    project = walk_to_plan(users, projects.propose(users["village_a1"], **proposal(household)))
    central, own = sources()
    with pytest.raises(FundsRefused, match="开工后才能登记资金支付"):
        disbursements.record(users["county"], project, source_id=central.pk, amount="1", on=date(2025, 4, 1))
    with pytest.raises(FundsRefused, match="早于列入计划日期"):
        implementation.start(users["county"], project, on=date(2025, 3, 27))
    implementation.start(users["county"], project, on=date(2025, 4, 2))
    implementation.report_progress(users["county"], project, month=date(2025, 6, 1), quantity_done="1.5")
    with pytest.raises(FundsRefused, match="不能少于 2025-06 已报的 1.5 公里"):
        implementation.report_progress(users["county"], project, month=date(2025, 7, 1), quantity_done="1.4")
    with pytest.raises(FundsRefused, match="超过计划建设规模 2.5 公里"):
        implementation.report_progress(users["county"], project, month=date(2025, 7, 1), quantity_done="2.501")
    disbursements.record(users["county"], project, source_id=own.pk, amount="20.4999", on=date(2025, 5, 1))
    with pytest.raises(FundsRefused, match="本次最多 0.0001 万元"):
        disbursements.record(users["county"], project, source_id=own.pk, amount="0.0002", on=date(2025, 5, 1))
    disbursements.record(users["county"], project, source_id=own.pk, amount="0.0001", on=date(2025, 5, 1))
    assert Disbursement.objects.count() == 2
    with pytest.raises(FundsRefused, match="请先上传验收报告"):
        implementation.accept(users["county"], project, on=date(2025, 10, 1), result="passed", record="合格")
    fake = SimpleUploadedFile("验收报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(FundsRefused, match="内容不是 pdf 文件"):
        project_files.add_file(users["county"], project, kind="acceptance", upload=fake)
    with pytest.raises(FundsRefused, match="不支持的文件类型"):
        project_files.add_file(users["county"], project, kind="acceptance", upload=SimpleUploadedFile("a.exe", b"MZ"))
    assert not ProjectFile.objects.exists()
    with pytest.raises(FundsRefused, match="尚未审计|须在“已验收”阶段"):
        implementation.complete(users["county"], project, on=date(2025, 11, 1))
