"""Which standards a page or the API shows: a pack named by id (packs are public policy: any of them), or the pack
in force for a county of the user's and a year; and a standard described as its table and the API list it. The
arithmetic is services.subsidies'."""

from django.utils.translation import gettext as _

from fupin.core.errors import NotFound
from fupin.policy.pack_standards import CONDITION_OPERATORS, Standard, StandardLine
from fupin.policy.packs import PackNotFound
from fupin.policy.services import packs as pack_service

from .common import FundsRefused, county_of
from .subsidies import SubsidyResult, compute_standard, plain, rate_text


def counties_of(user) -> list:
    """The counties whose standards a user picks from: those inside their area, else the county theirs lies in."""
    from fupin.areas.models import Area, Level

    inside = list(Area.objects.restrict(user).filter(level=Level.COUNTY).order_by("code"))
    area = getattr(user, "area", None)
    if inside or area is None or area.level in (Level.PROVINCE, Level.CITY):
        return inside
    return [county_of(area)]


def pack_chosen(user, *, pack_id: str = "", county_code: str = "", year=None):
    """(the pack, its standards): the pack `pack_id` (packs are public policy: any of them), or the pack in force
    for `county_code` (one of counties_of(user); another is "not found") in `year`."""
    library = pack_service.library()
    if pack_id:
        try:
            pack = library.load(str(pack_id))
        except PackNotFound as error:
            raise NotFound(error.message, field="pack") from None
        return pack, library.standards_of(pack.id)
    counties = {county.code: county for county in counties_of(user)}
    county = counties.get(str(county_code or "")) if county_code else next(iter(counties.values()), None)
    if county is None:
        raise NotFound(_("未找到县“%(code)s”，或不在您的管辖范围内") % {"code": county_code or ""}, field="county")
    try:
        year = int(str(year).strip())
    except ValueError:
        raise FundsRefused(_("年度应为四位数字，实际是“%(year)s”") % {"year": year}, field="year") from None
    if not 2000 <= year <= 2100:
        raise FundsRefused(_("年度应在 2000 至 2100 之间"), field="year")
    try:
        pack = library.for_region(county.code, year)
    except PackNotFound as error:
        raise NotFound(error.message, field="year") from None
    return pack, library.standards_of(pack.id)


def compute_chosen(user, code: str, given: dict, **chosen) -> SubsidyResult:
    """The subsidy from standard `code` of the pack chosen as pack_chosen() chooses it."""
    pack, standards = pack_chosen(user, **chosen)
    if code not in standards:
        known = "、".join(f"{c}（{s.title}）" for c, s in standards.items()) or _("无")
        raise NotFound(
            _("标准包 %(pack)s 中没有补助标准“%(code)s”；可用：%(known)s")
            % {"pack": pack.id, "code": code, "known": known},
            field="standard",
        )
    standard = standards[code]
    unknown = [name for name in given if standard.fact(name) is None]
    if unknown:
        known = "、".join(f"{fact.name}（{fact.label}）" for fact in standard.facts)
        raise FundsRefused(
            _("补助标准“%(title)s”没有参数 %(names)s；可用：%(known)s")
            % {"title": standard.title, "names": "、".join(map(str, unknown)), "known": known},
            field=str(unknown[0]),
        )
    return compute_standard(standard, given, pack_id=pack.id, pack_title=pack.title, year=pack.year)


def condition_text(standard: Standard, line: StandardLine) -> str:
    """A line's conditions as a clerk reads them: 路面宽度 3.5 米档；道路类别：通村路（建制村）."""
    parts = []
    for condition in line.when:
        fact = standard.fact(condition.fact)
        if fact.is_choice:
            parts.append(f"{fact.label}：{fact.choice_label(condition.value)}")
        elif fact.classes:
            parts.append(_("%(label)s %(value)s %(unit)s 档") % {
                "label": fact.label, "value": plain(condition.value), "unit": fact.unit})  # fmt: skip
        else:
            op = CONDITION_OPERATORS[condition.operator]
            parts.append(f"{fact.label} {op} {plain(condition.value)} {fact.unit}".strip())
    return "；".join(parts) or _("均适用")


def described(standard: Standard) -> dict:
    """A standard as its table shows it (and the API lists it)."""
    return {
        "code": standard.code,
        "title": standard.title,
        "subject": standard.subject,
        "money_unit": standard.money_unit,
        "source": standard.source,
        "confirmed": standard.confirmed,
        "defined_in": standard.defined_in,
        "remainder": standard.remainder,
        "facts": [
            {
                "name": fact.name,
                "label": fact.label,
                "unit": fact.unit,
                "required": fact.required,
                "classes": [plain(value) for value in fact.classes],
                "choices": [{"code": code, "label": label} for code, label in fact.choices],
            }
            for fact in standard.facts
        ],
        "lines": [
            {
                "funder": line.funder,
                "title": line.title or line.funder,
                "when": condition_text(standard, line),
                "rate": plain(line.rate),
                "rate_text": rate_text(standard, line),
                "cap": None if line.cap is None else plain(line.cap),
                "up_to": line.up_to,
            }
            for line in standard.lines
        ],
    }


def years_with_standards(county_code: str) -> list[int]:
    """The years in which the pack in force for a county holds standards (the page offers them)."""
    library = pack_service.library()
    code, years = str(county_code), set()
    for pack_id in library.available():
        pack = library.load(pack_id)
        if pack.region in ("national", code[:2], code[:6]) and library.for_region(code, pack.year).id == pack_id:
            if library.standards_of(pack_id):
                years.add(pack.year)
    return sorted(years)
