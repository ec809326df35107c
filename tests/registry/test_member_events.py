"""Member events through the service: the rules of their order at the boundaries, the member's joined/left dates
kept in step, scope and audit; and the income's 家庭人口数 against the members of its year."""

from datetime import date

import pytest

from fupin.accounts.models import Action, AuditEntry
from fupin.core.errors import Conflict, NotFound, PermissionDenied
from fupin.registry import codes, services
from fupin.registry.models import MemberEvent
from fupin.registry.values import InvalidRecord

from ..factories import VILLAGE_A1, VILLAGE_B1, build_household, make_id

pytestmark = pytest.mark.django_db

K = codes.MemberEventKind


@pytest.fixture
def family(users):
    """A household of 东一村: the head (born 1970-01-01) and a baby born 2020-05-06."""
    head, baby = make_id("19700101"), make_id("20200506")
    household = build_household(
        users["county"],
        VILLAGE_A1,
        members=[
            {"name": "户主", "relation": "01", "id_number": head},
            {"name": "婴儿", "relation": "03", "id_number": baby},
        ],
    )
    return household, head, baby


def record(user, household, id_number, kind, on, **extra):
    return services.record_member_event(user, household, {"id_number": id_number, "kind": kind, "date": on, **extra})


def refusal(user, household, id_number, kind, on, **extra):
    before = MemberEvent.objects.count()
    with pytest.raises(InvalidRecord) as caught:
        record(user, household, id_number, kind, on, **extra)
    assert MemberEvent.objects.count() == before  # nothing written
    return caught.value.message


def test_birth_on_the_birth_date_and_death_move_the_members_dates_and_are_audited(users, family):
    household, head, baby = family
    user = users["village_a1"]
    born = record(user, household, baby, K.BIRTH, date(2020, 5, 6))
    member = household.members.get(id_number=baby)
    assert (member.joined_on, member.left_on) == (date(2020, 5, 6), None)
    assert born.member == member and born.name == "婴儿" and born.recorded_by == user
    record(user, household, head, K.DEATH, date(2023, 2, 1))
    dead = household.members.get(id_number=head)
    assert (dead.joined_on, dead.left_on) == (None, date(2023, 2, 1))
    entries = AuditEntry.objects.filter(via="ui", username="village_a1")
    assert entries.filter(action=Action.CREATE, model="registry.memberevent").count() == 2
    update = entries.get(action=Action.UPDATE, model="registry.member", object_id=str(dead.pk))
    assert update.changes == {"left_on": [None, "2023-02-01"]}


def test_a_birth_a_day_off_the_birth_date_is_refused(users, family):
    household, _, baby = family
    assert "出生日期2020-05-06" in refusal(users["county"], household, baby, K.BIRTH, date(2020, 5, 7))
    assert "出生日期2020-05-06" in refusal(users["county"], household, baby, K.BIRTH, date(2020, 5, 5))


def test_an_event_the_day_before_birth_is_refused_the_birth_day_itself_is_not(users, family):
    household, _, baby = family
    reason = refusal(users["county"], household, baby, K.MOVE_IN, date(2020, 5, 5))
    assert reason == "日期早于该成员的出生日期2020-05-06"
    record(users["county"], household, baby, K.MOVE_IN, date(2020, 5, 6))


def test_birth_must_come_first(users, family):
    household, _, baby = family
    record(users["county"], household, baby, K.BIRTH, date(2020, 5, 6))
    assert refusal(users["county"], household, baby, K.BIRTH, date(2020, 6, 1)) == "“出生”须是该成员的第一条变动"


def test_nothing_after_a_death_not_even_on_the_next_day(users, family):
    household, head, _ = family
    record(users["county"], household, head, K.DEATH, date(2022, 3, 1))
    reason = refusal(users["county"], household, head, K.MOVE_IN, date(2022, 3, 2))
    assert "与2022-03-01的“死亡”矛盾" not in reason and "已于2022-03-01死亡" in reason


def test_an_event_before_a_recorded_death_that_breaks_it_names_the_death(users, family):
    household, head, _ = family
    record(users["county"], household, head, K.DEATH, date(2022, 3, 1))
    # moving out before the death leaves the death of someone no longer in the household
    reason = refusal(users["county"], household, head, K.MOVE_OUT, date(2021, 1, 1))
    assert reason.startswith("与2022-03-01的“死亡”矛盾：该成员此前已不在本户")


def test_cannot_leave_when_out_or_join_when_in(users, family):
    household, head, _ = family
    record(users["county"], household, head, K.MOVE_OUT, date(2019, 6, 30))
    assert "此前已不在本户（2019-06-30 迁出）" in refusal(
        users["county"], household, head, K.MARRY_OUT, date(2020, 1, 1)
    )
    record(users["county"], household, head, K.MOVE_IN, date(2020, 1, 1))
    assert "此前已在本户（2020-01-01 迁入）" in refusal(users["county"], household, head, K.MARRY_IN, date(2020, 2, 1))
    member = household.members.get(id_number=head)
    assert (member.joined_on, member.left_on) == (date(2020, 1, 1), None)  # back in: no left date


def test_future_date_and_same_event_twice_are_refused(users, family, today):
    household, head, _ = family
    assert "不能晚于今天" in refusal(users["county"], household, head, K.MOVE_OUT, date(today.year + 1, 1, 1))
    record(users["county"], household, head, K.MOVE_OUT, date(2019, 6, 30))
    with pytest.raises(Conflict):
        record(users["county"], household, head, K.MOVE_OUT, date(2019, 6, 30))


def test_the_other_household_must_exist_and_a_death_names_none(users, family):
    household, head, _ = family
    other = build_household(users["county"], VILLAGE_A1)
    reason = refusal(users["county"], household, head, K.SPLIT_OUT, date(2021, 1, 1), other_household="NOPE-1")
    assert reason == "迁出/迁入户编号“NOPE-1”不存在"
    assert "不填" in refusal(users["county"], household, head, K.DEATH, date(2021, 1, 1), other_household=other.number)
    event = record(users["county"], household, head, K.SPLIT_OUT, date(2021, 1, 1), other_household=other.number)
    assert event.other_household == other.number


def test_not_a_member_of_the_household_scope_and_readers(users, family):
    household, head, _ = family
    assert "请先登记该成员" in refusal(users["county"], household, make_id("19900101"), K.MOVE_IN, date(2021, 1, 1))
    with pytest.raises(NotFound):
        record(users["village_b1"], household, head, K.MOVE_OUT, date(2021, 1, 1))
    with pytest.raises(PermissionDenied):
        record(users["inspector"], household, head, K.MOVE_OUT, date(2021, 1, 1))
    assert not MemberEvent.objects.exists()


def test_rules_hold_across_households_for_birth_and_death(users, family):
    """A person who died in one household cannot turn up in another afterwards."""
    household, head, _ = family
    record(users["county"], household, head, K.DEATH, date(2022, 3, 1))
    other = build_household(users["county"], VILLAGE_B1, members=[])
    from fupin.registry.models import Member

    Member.objects.create(
        household=other, name="户主", sex="1", id_number=head, birth_date=date(1970, 1, 1), relation="01"
    )
    assert "已于2022-03-01死亡" in refusal(users["county"], other, head, K.MOVE_IN, date(2022, 4, 1))


def test_income_persons_against_the_members_of_12_31(users, family):
    household, head, baby = family
    record(users["county"], household, baby, K.BIRTH, date(2020, 5, 6))
    record(users["county"], household, head, K.DEATH, date(2022, 12, 31))
    assert services.income_persons_error(household, 2019, 1) is None  # the baby not born yet
    assert services.income_persons_error(household, 2020, 2) is None
    assert services.income_persons_error(household, 2021, 2) is None
    # the head died on 12-31 itself: not a member that day
    assert services.income_persons_error(household, 2022, 1) is None
    assert services.income_persons_error(household, 2022, 2) == "家庭人口数填的是2人，而2022年12月31日本户在册成员为1人"
    assert "在册成员为1人" in services.income_persons_error(household, 2019, 2)


def test_income_persons_of_a_household_without_members_is_not_checked(users):
    household = build_household(users["county"], VILLAGE_A1, members=[])
    assert services.income_persons_error(household, 2021, 4) is None
