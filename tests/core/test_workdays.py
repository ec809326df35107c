"""Working days with the statutory calendar (chinesecalendar): the 2026 National Day and Mid-Autumn holidays, the
make-up Saturday, and a year the calendar does not hold yet (Monday to Friday)."""

from datetime import date

from fupin.core import workdays


def test_the_2026_national_day_holiday_is_not_counted():
    # 10-01 … 10-07 are holidays; Wed 09-30 + 1 working day is Thu 10-08
    assert workdays.add_days(date(2026, 9, 30), 1, working=True) == date(2026, 10, 8)
    assert not any(workdays.is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert workdays.days_between(date(2026, 9, 30), date(2026, 10, 8), working=True) == 1


def test_make_up_saturday_and_sunday_are_working_days():
    assert workdays.is_workday(date(2026, 10, 10))  # Saturday, 调休上班
    assert workdays.is_workday(date(2026, 9, 20))  # Sunday, 调休上班
    assert not workdays.is_workday(date(2026, 9, 25))  # Friday, 中秋节
    # Fri 10-09 + 1 working day is the make-up Saturday 10-10, not Monday
    assert workdays.add_days(date(2026, 10, 9), 1, working=True) == date(2026, 10, 10)


def test_fifteen_working_days_across_the_holiday():
    # from Mon 09-28: 09-29, 09-30, 10-08, 10-09, 10-10 (Sat), 10-12 … 10-16, 10-19 … 10-23 → the 15th is 10-23
    assert workdays.add_days(date(2026, 9, 28), 15, working=True) == date(2026, 10, 23)
    assert workdays.add_days(date(2026, 9, 28), 15, working=False) == date(2026, 10, 13)
    assert workdays.days_between(date(2026, 9, 28), date(2026, 10, 23), working=True) == 15
    assert workdays.days_between(date(2026, 10, 23), date(2026, 9, 28), working=True) == -15


def test_a_year_the_calendar_lacks_counts_monday_to_friday():
    assert workdays.calendar_known(2026)
    assert not workdays.calendar_known(2099)
    assert workdays.is_workday(date(2099, 1, 1))  # a Thursday: no holiday known, so a working day
    assert not workdays.is_workday(date(2099, 1, 3))  # Saturday
    # Fri 2099-01-02 + 1 working day is Monday
    assert workdays.add_days(date(2099, 1, 2), 1, working=True) == date(2099, 1, 5)


def test_zero_days_and_calendar_days():
    assert workdays.add_days(date(2026, 10, 1), 0, working=True) == date(2026, 10, 1)
    assert workdays.days_between(date(2026, 10, 1), date(2026, 10, 1), working=True) == 0
    assert workdays.days_between(date(2026, 9, 28), date(2026, 10, 13), working=False) == 15
