"""The funds figures of an area as of a date (issue 15 "Links"; the report card of issue 17 reads them here): money
by source and year (the county's budgets, what the county level allocated down into the area, what was spent),
projects by stage and by type with their physical progress in their own units, assets by category and by owner
level. Each part is a few grouped aggregate queries whatever the county's size; amounts are Decimal 万元 to four
places, never float.

What is counted where (so a township's figures and the county's add up, never twice):
- budget: the Budget rows of the counties in the area, with their document dated on or before `as_of`; an area
  below a county has no budget of its own (None). The county's own budget (its county-level sources) is shown a
  year with its growth on the year before (双增长).
- allocated: transfers from the county level (the county or one of its departments) to a township or a village
  inside the area, dated on or before `as_of` (a county's transfer to its own department is not yet allocated
  down; a township's transfer on to its village is the same money, counted once where it left the county).
- spent: disbursements by holders inside the area, dated on or before `as_of`.
- a project's physical progress: its latest monthly report of a month on or before `as_of`; its stage is the
  one it stands at now (the step history is the project library's).
- an asset is counted when formed on or before `as_of` and not disposed of by then."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.areas.models import Area, Level
from fupin.core.errors import NotFound

from .. import codes
from ..models import Asset, Budget, Disbursement, FundSource, Progress, Project, Transfer

ZERO = Decimal("0.0000")
QUANTITY = Decimal("0.001")


def _wan(value) -> Decimal:
    return (value if value is not None else ZERO).quantize(codes.WAN_QUANTUM)


def _rate(part, whole) -> Decimal | None:
    """A percentage to one decimal (42.7 of 97.05 → 44.0); None where there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def area_for(user, area_code=None) -> Area:
    """The area asked for inside the user's scope (another area or a bad code alike "not found"), or the user's own."""
    if area_code:
        code = str(area_code)
        area = Area.objects.restrict(user).filter(code=code).first() if code.isascii() and code.isdigit() else None
        if area is None:
            raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": area_code}, field="area")
        return area
    if getattr(user, "area", None) is None:
        raise NotFound(_("请指定区划"), field="area")
    return user.area


def _money(user, area: Area, as_of: date) -> dict:
    """Budget, allocated and spent by source and year: three grouped queries, joined here by (source, year)."""
    rows: dict[tuple, dict] = {}

    def row(source_id, year):
        return rows.setdefault((source_id, year), {"budget": ZERO, "allocated": ZERO, "spent": ZERO})

    county_or_above, own = area.level <= Level.COUNTY, {}
    if county_or_above:
        budgets = Budget.objects.restrict(user).under(area.prefix).filter(document_date__lte=as_of)
        for found in budgets.values("source_id", "year").annotate(total=Sum("amount")).order_by():
            row(found["source_id"], found["year"])["budget"] = _wan(found["total"])
        # the county's own budget (县级预算, its sources of the county level): the base of 双增长
        county_level = budgets.filter(source__level=codes.FundLevel.COUNTY).values("year")
        own = {r["year"]: _wan(r["total"]) for r in county_level.annotate(total=Sum("amount")).order_by()}
    allocated = (
        Transfer.objects.restrict(user)
        .under(area.prefix)
        .filter(on__lte=as_of, from_area__level=Level.COUNTY, to_area__level__gt=Level.COUNTY)
    )
    for found in allocated.values("source_id", "year").annotate(total=Sum("amount")).order_by():
        row(found["source_id"], found["year"])["allocated"] = _wan(found["total"])
    spent = Disbursement.objects.restrict(user).under(area.prefix).filter(on__lte=as_of)
    for found in spent.values("source_id", "year").annotate(total=Sum("amount")).order_by():
        row(found["source_id"], found["year"])["spent"] = _wan(found["total"])

    sources = FundSource.objects.in_bulk({source_id for source_id, _year in rows})
    # the labels once (a model's get_FOO_display hashes its choices on every call: seconds at a province's lines)
    level_labels = {value: str(label) for value, label in codes.FundLevel.choices}
    kind_labels = {value: str(label) for value, label in codes.FundKind.choices}
    lines = []
    for (source_id, year), amounts in sorted(rows.items(), key=lambda item: (-item[0][1], item[0][0])):
        source = sources[source_id]
        lines.append(
            {
                "source_id": source_id,
                "source": source.name,
                "level": source.level,
                "level_label": level_labels.get(source.level, source.level),
                "kind": source.kind,
                "kind_label": kind_labels.get(source.kind, source.kind),
                "year": year,
                "budget": amounts["budget"] if county_or_above else None,
                **{name: amounts[name] for name in ("allocated", "spent")},
                "balance": amounts["allocated"] - amounts["spent"],
            }
        )
    years: dict[int, dict] = {}
    for line in lines:
        year = years.setdefault(line["year"], {"year": line["year"], "budget": ZERO, "allocated": ZERO, "spent": ZERO})
        for name in ("allocated", "spent"):
            year[name] += line[name]
        year["budget"] += line["budget"] or ZERO
    by_year = sorted(years.values(), key=lambda y: -y["year"])
    for year in by_year:
        year["spent_rate"] = _rate(year["spent"], year["allocated"])
        year.update(_growth(own, year["year"]) if county_or_above else {"budget": None})
    totals = {
        "budget": sum((line["budget"] or ZERO for line in lines), ZERO) if county_or_above else None,
        "allocated": sum((line["allocated"] for line in lines), ZERO),
        "spent": sum((line["spent"] for line in lines), ZERO),
    }
    totals["spent_rate"] = _rate(totals["spent"], totals["allocated"])
    return {"by_source": lines, "by_year": by_year, "totals": totals}


def _growth(own: dict, year: int) -> dict:
    """The county's own budget of a year and its growth on the year before, in 万元 and in per cent (双增长: seed
    004's 8,377.5 against 6,935 is 1,442.5, 20.8 %); None where a year is missing."""
    this, last = own.get(year), own.get(year - 1)
    grown = this - last if this is not None and last is not None else None
    return {
        "county_budget": this,
        "county_growth": grown,
        "county_growth_rate": _rate(grown, last) if grown is not None else None,
    }


def _projects(user, area: Area, as_of: date) -> dict:
    """Projects by stage and by type (count, cost, disbursed) and the physical progress by type and unit."""
    projects = Project.objects.restrict(user).under(area.prefix).filter(year__lte=as_of.year)
    # money paid on them: one grouped pass over their disbursements (a join), not a subquery a project
    paid = Disbursement.objects.filter(project__in=projects.values("pk"), on__lte=as_of)
    latest = (
        Progress.objects.filter(project=OuterRef("pk"), month__lte=as_of).order_by("-month").values("quantity_done")[:1]
    )
    quantity = DecimalField(max_digits=14, decimal_places=3)
    annotated = projects.annotate(
        done=Coalesce(Subquery(latest, output_field=quantity), Value(Decimal("0")), output_field=quantity),
    )

    spent = {"stage": {}, "project_type": {}}  # both groupings from one pass over the disbursements
    for row in paid.values("project__stage", "project__project_type").annotate(total=Sum("amount")).order_by():
        for field in spent:
            found = spent[field]
            found[row[f"project__{field}"]] = found.get(row[f"project__{field}"], ZERO) + row["total"]

    def grouped(field, choices):
        found = {r[field]: r for r in projects.values(field).annotate(n=Count("pk"), cost=Sum("cost")).order_by()}
        return [
            {
                "code": value,
                "label": str(label),
                "count": found[value]["n"],
                "cost": _wan(found[value]["cost"]),
                "disbursed": _wan(spent[field].get(value)),
            }
            for value, label in choices
            if value in found
        ]

    progress = []
    rows = (
        annotated.values("project_type", "unit")
        .annotate(n=Count("pk"), planned=Sum("planned_quantity"), done=Sum("done"))
        .order_by("project_type", "unit")
    )
    for found in rows:
        progress.append(
            {
                "project_type": found["project_type"],
                "type_label": str(codes.ProjectType(found["project_type"]).label),
                "unit": found["unit"],
                "unit_label": str(codes.PhysicalUnit(found["unit"]).label),
                "count": found["n"],
                "planned": Decimal(found["planned"] or 0).quantize(QUANTITY),
                "done": Decimal(found["done"] or 0).quantize(QUANTITY),
                "rate": _rate(found["done"], found["planned"]),
            }
        )
    late = projects.filter(
        Q(planned_end__lt=as_of) & ~Q(stage__in=(codes.Stage.ACCEPTED, *codes.CLOSED_STAGES))
    ).count()
    by_stage = grouped("stage", codes.Stage.choices)
    return {
        "by_stage": by_stage,
        "by_type": grouped("project_type", codes.ProjectType.choices),
        "progress": progress,
        "count": sum(line["count"] for line in by_stage),
        "late": late,
    }


def _assets(user, area: Area, as_of: date) -> dict:
    """Assets standing on `as_of` by category and by owner level (count, value)."""
    standing = (
        Asset.objects.restrict(user)
        .under(area.prefix)
        .filter(formed_on__lte=as_of)
        .filter(Q(disposed_on__isnull=True) | Q(disposed_on__gt=as_of))
    )

    def grouped(field, choices, unconfirmed=False):
        found = {r[field]: r for r in standing.values(field).annotate(n=Count("pk"), value=Sum("value")).order_by()}
        lines = [
            {"code": value, "label": str(label), "count": found[value]["n"], "value": _wan(found[value]["value"])}
            for value, label in choices
            if value in found
        ]
        if unconfirmed and "" in found:
            lines.append(
                {"code": "", "label": _("尚未确权"), "count": found[""]["n"], "value": _wan(found[""]["value"])}
            )
        return lines

    by_category = grouped("category", codes.AssetCategory.choices)
    return {
        "by_category": by_category,
        "by_owner": grouped("owner_level", codes.OwnerLevel.choices, unconfirmed=True),
        "count": sum(line["count"] for line in by_category),
        "value": sum((line["value"] for line in by_category), ZERO),
    }


def funds_figures(user, *, area_code=None, as_of: date | None = None) -> dict:
    """The funds figures of `area_code` (the user's own area where not given) as of `as_of` (today)."""
    area = area_for(user, area_code)
    as_of = as_of or timezone.localdate()
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "as_of": as_of,
        "money": _money(user, area, as_of),
        "projects": _projects(user, area, as_of),
        "assets": _assets(user, area, as_of),
    }


def home_lines(user, today) -> list[dict]:
    """The web home page's funds lines for the user's area: the year's money allocated and spent, the projects
    being carried out, late, and the assets standing (none for a user without an area)."""
    if getattr(user, "area", None) is None:
        return []
    found = funds_figures(user, as_of=today)
    url = reverse("funds:index")
    year = next((y for y in found["money"]["by_year"] if y["year"] == today.year), None)
    stages = {line["code"]: line["count"] for line in found["projects"]["by_stage"]}
    lines = [
        {"label": _("本年度已下达资金（万元）"), "count": year["allocated"] if year else 0, "url": url},
        {"label": _("本年度已支出资金（万元）"), "count": year["spent"] if year else 0, "url": url},
        {"label": _("实施中的项目"), "count": stages.get("implementing", 0), "url": url},
        {"label": _("逾期未完工的项目"), "count": found["projects"]["late"], "url": url, "alert": True},
        {"label": _("扶贫项目资产（项）"), "count": found["assets"]["count"], "url": url},
    ]
    return lines
