"""Deadlines counted in calendar days or in working days (Chinese statutory holidays and make-up workdays).

The holiday calendar is the `chinesecalendar` package, which the State Council's yearly notice updates. For a year
it does not hold yet (the notice comes out in November or December), working days fall back to Monday–Friday and
`calendar_known` says so, so a page can warn that a deadline in that year may move.
"""

from datetime import date, timedelta

import chinese_calendar


def calendar_known(year: int) -> bool:
    """Whether the holiday calendar holds that year's statutory holidays and make-up workdays."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    """A working day: by the statutory calendar where it is known, else Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_days(start: date, days: int, *, working: bool) -> date:
    """The day `days` days after `start`: calendar days, or working days (the start itself not counted, so a
    limit of 2 working days from a Friday clue ends on Tuesday)."""
    if not working:
        return start + timedelta(days=days)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def days_between(start: date, end: date, *, working: bool) -> int:
    """How many days (calendar or working) from `start` to `end`, `start` not counted; negative when end < start."""
    if end < start:
        return -days_between(end, start, working=working)
    if not working:
        return (end - start).days
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=n)))
