"""Who belongs to a household on a date: members_present_on, by birth and by member events, worked by hand."""

from datetime import date

import pytest

from fupin.registry import codes, services
from fupin.registry.models import Member, MemberEvent

from ..factories import VILLAGE_A1, build_household

pytestmark = pytest.mark.django_db


def _member(household, name, born, id_number):
    return Member.objects.create(
        household=household, name=name, sex="1", id_number=id_number, birth_date=born, relation="03"
    )


def _event(member, kind, on):
    return MemberEvent.objects.create(
        household=member.household, member=member, id_number=member.id_number, name=member.name, kind=kind, date=on
    )


def test_members_on_a_date_follow_birth_and_events(users):
    household = build_household(users["county"], VILLAGE_A1, members=[])
    _member(household, "一直在", date(1970, 1, 1), "A1")
    baby = _member(household, "新生儿", date(2019, 5, 6), "A2")
    _event(baby, codes.MemberEventKind.BIRTH, date(2019, 5, 6))
    gone = _member(household, "已故", date(1940, 2, 2), "A3")  # there before the records, died 2018-03-01
    _event(gone, codes.MemberEventKind.DEATH, date(2018, 3, 1))
    bride = _member(household, "婚入", date(1995, 1, 1), "A4")  # married in 2017-10-01
    _event(bride, codes.MemberEventKind.MARRY_IN, date(2017, 10, 1))
    worker = _member(household, "往返", date(1990, 1, 1), "A5")  # moved out 2016-06-30, back 2020-01-01
    _event(worker, codes.MemberEventKind.MOVE_OUT, date(2016, 6, 30))
    _event(worker, codes.MemberEventKind.MOVE_IN, date(2020, 1, 1))

    def present(day):
        return set(services.members_present_on(household.members.all(), day).values_list("name", flat=True))

    assert present(date(2016, 6, 29)) == {"一直在", "已故", "往返"}
    assert present(date(2016, 6, 30)) == {"一直在", "已故"}  # the move-out takes effect on its date
    assert present(date(2017, 10, 1)) == {"一直在", "已故", "婚入"}
    assert present(date(2018, 2, 28)) == {"一直在", "已故", "婚入"}
    assert present(date(2018, 3, 1)) == {"一直在", "婚入"}
    assert present(date(2019, 5, 5)) == {"一直在", "婚入"}
    assert present(date(2019, 5, 6)) == {"一直在", "婚入", "新生儿"}
    assert present(date(2020, 1, 1)) == {"一直在", "婚入", "新生儿", "往返"}
