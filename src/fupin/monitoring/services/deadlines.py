"""The deadlines of clues and cases, from the policy pack in force where and when they arise.

Every limit is a pack parameter (national-2020 and its heirs; a province's pack may change any): `clue_accept_days`,
`case_limit_days`, one `deadline_<step>_days` per step (codes.PROCEDURES names them), `notice_min_days`, and
`count_working_days` (calendar days, or working days with the statutory holidays and make-up workdays)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from fupin.core import workdays
from fupin.core.errors import DomainError
from fupin.policy.packs import Pack, PackNotFound, pack_for

#: the earliest year a pack may be looked for, going back from a date's own year
FIRST_PACK_YEAR = 2014


class NoPackInForce(DomainError):
    code = "no_pack_in_force"


def pack_in_force(area_code: str, day: date) -> Pack:
    """The pack of the area for the date's year, or, where that year has none yet (a new year before its pack is
    written), the area's most recent earlier one: deadlines keep running on last year's rules, never on none."""
    for year in range(day.year, FIRST_PACK_YEAR - 1, -1):
        try:
            return pack_for(area_code, year)
        except PackNotFound:
            continue
    raise NoPackInForce(
        _("地区 %(area)s 没有 %(year)s 年及以前的标准包，无法计算办理期限") % {"area": area_code, "year": day.year}
    )


@dataclass(frozen=True)
class Clock:
    """How one pack counts days: the limits by name and whether they are working days."""

    pack: Pack

    @property
    def working(self) -> bool:
        return bool(self.pack.parameters.get("count_working_days", False))

    def limit(self, name: str) -> int:
        value = self.pack.parameters.get(name)
        if type(value) is not int or value < 0:
            raise NoPackInForce(
                _("标准包 %(pack)s 缺少期限参数 %(name)s（应为非负整数天数）") % {"pack": self.pack.id, "name": name}
            )
        return value

    def after(self, start: date, name: str) -> date:
        """The deadline `name` counted from `start`."""
        return workdays.add_days(start, self.limit(name), working=self.working)

    def elapsed(self, start: date, end: date) -> int:
        return workdays.days_between(start, end, working=self.working)

    @property
    def unit(self) -> str:
        return _("个工作日") if self.working else _("天")


def clock_for(area_code: str, day: date) -> Clock:
    return Clock(pack_in_force(area_code, day))


def accept_due(village_code: str, reported_on: date) -> date:
    """By when the township must accept or reject a clue reported on `reported_on`."""
    return clock_for(village_code, reported_on).after(reported_on, "clue_accept_days")
