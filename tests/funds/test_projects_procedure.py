"""A county's own procedure (ProcedureStep rows) replaces the default: its steps, roles, notice days and criteria
are what the services follow; a notice counted in working days where the county's pack says so; and the admin
lets only the county's administrators see and edit it."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from fupin.accounts.models import User
from fupin.accounts.roles import Role
from fupin.core.errors import PermissionDenied
from fupin.funds.models import ProcedureStep
from fupin.funds.services import procedure, projects
from fupin.funds.services.common import FundsRefused
from tests.factories import COUNTY, TOWNSHIP_A
from tests.funds.projects_helpers import proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def short(areas):
    """乡统筹 (township, 5-day notice, one criterion) → 县审定 (county): a county that files township proposals only."""
    ProcedureStep.objects.create(
        county_id=COUNTY, order=1, code="township", name="乡镇审核", roles=["township"], notice_days=5,
        criteria=["必要性"],
    )  # fmt: skip
    ProcedureStep.objects.create(county_id=COUNTY, order=2, code="county", roles=["county_admin"])


def test_the_countys_own_steps_are_followed(users, short):
    assert [(s.code, s.label) for s in procedure.procedure_of(COUNTY)] == [
        ("township", "乡镇审核"),
        ("county", "县审定"),
    ]
    project = projects.propose(users["village_a1"], **proposal())
    assert project.step == "township"  # a village's proposal starts at this county's first step
    with pytest.raises(PermissionDenied, match="不能办理“乡镇审核”环节"):
        projects.take_step(users["village_a1"], project, step="township", decision="approve", on=date(2025, 3, 9))
    with pytest.raises(FundsRefused, match="公示期 5 天，至 2025-03-07 结束"):
        projects.take_step(
            users["township_a"], project, step="township", decision="approve", on=date(2025, 3, 7),
            notice_from=date(2025, 3, 2), criteria={"必要性": True},
        )  # fmt: skip
    projects.take_step(
        users["township_a"], project, step="township", decision="approve", on=date(2025, 3, 8),
        notice_from=date(2025, 3, 2), criteria={"必要性": True},
    )  # fmt: skip
    projects.take_step(users["county"], project, step="county", decision="approve", on=date(2025, 3, 9))
    project.refresh_from_db()
    assert project.stage == "planned"  # the last step's approval enters the plan


def test_a_notice_in_working_days(monkeypatch):
    monkeypatch.setattr(procedure, "_counts_working_days", lambda area, day: True)
    # posted Friday 2025-03-07: five working days are Mon 10 … Fri 14
    assert procedure.notice_until(COUNTY, date(2025, 3, 7), 5) == date(2025, 3, 14)
    assert procedure.notice_unit(COUNTY, date(2025, 3, 7)) == "个工作日"
    monkeypatch.undo()
    assert procedure.notice_until(COUNTY, date(2025, 3, 7), 5) == date(2025, 3, 12)  # national packs: calendar days


def test_only_the_countys_administrators_edit_it_in_the_admin(client, areas, short):
    step = ProcedureStep.objects.get(order=1)
    county = User.objects.create_user("adm_county", password="pw-12345678", role=Role.COUNTY_ADMIN, area_id=COUNTY)
    township = User.objects.create_user("adm_town", password="pw-12345678", role=Role.TOWNSHIP, area_id=TOWNSHIP_A)
    for user in (county, township):
        user.is_staff = True
        user.save()
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="funds"))
    url = f"/admin/funds/procedurestep/{step.pk}/change/"
    client.force_login(township)
    assert client.get(url).status_code in (403, 404)
    client.force_login(county)
    page = client.get(url)
    assert page.status_code == 200
    data = {"county": COUNTY, "order": "1", "code": "township", "name": "乡镇审核", "roles": '["cook"]',
            "notice_days": "5", "criteria": '["必要性"]'}  # fmt: skip
    assert "请填写角色代码列表" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "roles": '["township", "county_admin"]'}).status_code == 302
    step.refresh_from_db()
    assert step.roles == ["township", "county_admin"]
