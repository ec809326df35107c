"""The administrative tree: province → city → county → township → village → group.

A statistical area code is 12 digits (6-digit county code of GB/T 2260 + 3 township + 3 village); a
village group (村民小组) extends its village's code by 3 digits. Each level owns a fixed-length prefix of the
code, so "everything under this area" is a code range — the one query area scoping is built on.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import scope_prefix


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("行政村")
    GROUP = 6, _("村民小组")


#: how many leading digits of the code identify an area of each level
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GROUP: 15,
}
CODE_LENGTH = {level: (15 if level == Level.GROUP else 12) for level in Level}


def code_range(prefix: str) -> tuple[str, str]:
    """Half-open text range [prefix, prefix + ':') holding every digit code that starts with prefix.

    ':' sorts right after '9', so the range uses the primary-key index on SQLite and PostgreSQL alike,
    where LIKE 'prefix%' would not on SQLite.
    """
    return prefix, prefix + ":"


class ScopedQuerySet(models.QuerySet):
    """Area scoping by code range. `area_path` names the column holding the area code of each row.

    `restrict(user)` is the one scoping method: the UI, API, admin and exports all go through it.
    """

    area_path = "code"

    def under(self, prefix: str):
        low, high = code_range(prefix)
        return self.filter(**{f"{self.area_path}__gte": low, f"{self.area_path}__lt": high})

    def restrict(self, user):
        return self.under(scope_prefix(user))


class PopulationQuerySet(ScopedQuerySet):
    area_path = "area_id"


class Area(models.Model):
    code = models.CharField(_("区划代码"), max_length=15, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[self.level]]

    def path(self) -> list["Area"]:
        """Ancestors from the province down to this area. An ancestor's code is normally this code cut at its
        level's length and padded with zeros, so one query fetches them all; a parent the codes do not predict is
        followed by its own query. Kept on the instance: a page asks for a village's name more than once."""
        cached = getattr(self, "_path", None)
        if cached is not None:
            return cached
        likely = {
            self.code[:length].ljust(CODE_LENGTH[level], "0")
            for level, length in PREFIX_LENGTH.items()
            if length < len(self.code) and level != Level.GROUP
        }
        fetched = {area.code: area for area in Area.objects.filter(code__in=likely - {self.code})} if likely else {}
        chain, node = [], self
        while node is not None:
            chain.append(node)
            parent_code = node.parent_id
            if parent_code is None:
                break
            node = fetched.get(parent_code) or node.parent
        self._path = chain[::-1]
        return self._path

    def full_name(self) -> str:
        return "".join(a.name for a in self.path())


class AreaPopulation(models.Model):
    """An area's rural registered population (农村户籍人口) and households in a year: the denominator of every
    incidence figure of that year. A figure for a year without one says so rather than use another count."""

    area = models.ForeignKey(Area, verbose_name=_("行政区划"), on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField(_("年度"))
    rural_population = models.PositiveIntegerField(_("农村户籍人口"))
    rural_households = models.PositiveIntegerField(_("农村户籍户数"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PopulationQuerySet.as_manager()

    class Meta:
        verbose_name = _("农村户籍人口")
        verbose_name_plural = _("农村户籍人口")
        ordering = ["area_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year"],
                name="population_once_per_area_year",
                violation_error_message=_("该区划本年度农村户籍人口已登记"),
            )
        ]

    def __str__(self):
        return f"{self.area_id} {self.year}"

    @property
    def area_code(self) -> str:
        return self.area_id
