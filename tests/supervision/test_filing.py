"""Filing a problem (登记): the one way a problem comes into the ledger, inside the user's area, audited."""

from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.core.errors import NotFound
from fupin.supervision import codes
from fupin.supervision.models import Problem
from fupin.supervision.services.common import SupervisionRefused
from fupin.supervision.services.filing import file_problem
from tests.factories import COUNTY, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2

pytestmark = pytest.mark.django_db


def test_a_township_files_a_problem_of_its_village_with_a_household(users, make_household):
    household = make_household(VILLAGE_A1)
    problem = file_problem(
        users["township_a"], source=codes.ProblemSource.PROVINCIAL, found="收入核算不准", area_code=VILLAGE_A1,
        found_on=date(2024, 5, 6), deadline=date(2024, 6, 6), households=[household], via="test",
    )  # fmt: skip
    assert problem.status == codes.ProblemStatus.OPEN and problem.county_id == COUNTY
    assert list(problem.households.all()) == [household]
    assert list(problem.steps.values_list("code", flat=True)) == [codes.ProblemStep.FILED]
    entry = AuditEntry.objects.get(model="supervision.problem", object_id=str(problem.pk))
    assert entry.action == Action.CREATE and entry.area_code == VILLAGE_A1


def test_refusals_write_nothing(users, make_household):
    other = make_household(VILLAGE_A2)
    township = users["township_a"]
    with pytest.raises(SupervisionRefused):
        file_problem(township, source=codes.ProblemSource.AUDIT, found="  ", area_code=VILLAGE_A1, via="test")
    with pytest.raises(SupervisionRefused):  # a household of another village than the problem's
        file_problem(
            township,
            source=codes.ProblemSource.AUDIT,
            found="错退",
            area_code=VILLAGE_A1,
            households=[other],
            via="test",
        )
    with pytest.raises(SupervisionRefused):  # the deadline before the finding
        file_problem(
            township, source=codes.ProblemSource.AUDIT, found="错退", area_code=VILLAGE_A1,
            found_on=date(2024, 5, 6), deadline=date(2024, 5, 5), via="test",
        )  # fmt: skip
    with pytest.raises(SupervisionRefused):
        file_problem(township, source="rumour", found="错退", area_code=VILLAGE_A1, via="test")
    with pytest.raises(NotFound):  # another township is outside 东乡镇's area: "not found"
        file_problem(township, source=codes.ProblemSource.AUDIT, found="错退", area_code=TOWNSHIP_B, via="test")
    assert not Problem.objects.exists() and not AuditEntry.objects.filter(model="supervision.problem").exists()
