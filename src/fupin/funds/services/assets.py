"""Project assets (扶贫项目资产): formed by an accepted project (the lineage asset → project → its funding sources kept)
or entered directly (older assets, the import), confirmed to an owner (确权) with the rights recorded, maintained
(管护), their state kept, disposed of with a reason and the county's approval.

Every write is checked whole before anything is saved, inside the user's area, by a keeper of assets
(codes.ASSET_KEEPERS; a disposal by the county alone, who approves it), and audited. A household's asset stands in
its household's village, so the village's own users see it and no one outside the area does."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.areas.models import Area, Level
from fupin.areas.scoping import in_scope
from fupin.core.errors import NotFound
from fupin.registry.models import Household

from .. import codes
from ..models import Asset, FundingPlan, Maintenance, Project
from .common import FundsRefused, area_of, check_date, county_of, require_role, wan

C, OL, ST = codes.AssetCategory, codes.OwnerLevel, codes.AssetState
#: stages of a project whose assets may be recorded: accepted (验收合格), and after its completion notice
ASSET_STAGES = frozenset({codes.Stage.ACCEPTED, codes.Stage.COMPLETED})
#: an owner level → the area level it names (a household owner names a household, not an area)
OWNER_AREA_LEVEL = {OL.COUNTY: Level.COUNTY, OL.TOWNSHIP: Level.TOWNSHIP, OL.VILLAGE: Level.VILLAGE}
#: what an asset row may carry when it is created (from a project, directly or from a sheet)
ASSET_FIELDS = (
    "code", "name", "category", "kind", "area_code", "location", "quantity", "unit", "value", "formed_on",
    "owner_level", "owner_area_code", "owner_household", "confirmed_on", "rights", "maintainer", "state",
)  # fmt: skip
THOUSANDTH = Decimal("0.001")


def label(name: str) -> str:
    return str(Asset._meta.get_field(name).verbose_name)


def _text(value, name: str, limit: int, *, required=False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise FundsRefused(_("请填写%(what)s") % {"what": label(name)}, field=name)
    if len(text) > limit:
        raise FundsRefused(_("%(what)s最多%(n)s个字") % {"what": label(name), "n": limit}, field=name)
    return text


def _choice(value, choices, name: str, *, required=False) -> str:
    value = str(value or "").strip()
    if not value and required:
        raise FundsRefused(_("请选择%(what)s") % {"what": label(name)}, field=name)
    if value and value not in choices.values:
        raise FundsRefused(_("%(what)s“%(value)s”不在代码表中") % {"what": label(name), "value": value}, field=name)
    return value


def _quantity(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0 or number.as_tuple().exponent < -3:
        raise FundsRefused(_("数量应为不小于 0、最多三位小数的数"), field="quantity")
    return number.quantize(THOUSANDTH)


def household_in_scope(user, household, field="owner_household") -> Household:
    """A household inside the user's area, by its pk, its record or its number (户编号)."""
    key = getattr(household, "pk", household)
    found = None
    if key not in (None, ""):
        rows = Household.objects.restrict(user)
        found = rows.filter(pk=key).first() if str(key).isdigit() else None
        found = found or rows.filter(number=str(key).strip()).first()
    if found is None:
        raise NotFound(_("未找到农户“%(key)s”，或其不在您的管辖范围内") % {"key": key or ""}, field=field)
    return found


def _in_county(area: Area, county: Area, field: str) -> None:
    if not area.code.startswith(county.prefix):
        raise FundsRefused(
            _("“%(name)s”不在%(county)s，资产只能确权给本县的单位或农户") % {"name": area.name, "county": county.name},
            field=field,
        )


def _rights(value) -> dict:
    """The rights recorded (权属): right code → holder, each a right of the code list, holders named."""
    rights = {}
    for right, holder in dict(value or {}).items():
        right, holder = str(right).strip(), str(holder or "").strip()
        if not holder:
            continue
        if right not in codes.Right.values:
            found = [code for code, text in codes.Right.choices if str(text) == right]
            if not found:
                raise FundsRefused(_("权属“%(right)s”不在代码表中") % {"right": right}, field="rights")
            right = found[0]
        if len(holder) > 80:
            raise FundsRefused(_("权利人最多80个字"), field="rights")
        rights[right] = holder
    return rights


def _owner(user, asset: Asset, level, area_code, household, county: Area) -> None:
    """Set the owner of `asset` (确权): a household asset to a household of the county; any other to the county, a
    township or a village collective of the county (the area of that level)."""
    level = _choice(level, OL, "owner_level", required=True)
    if asset.category == C.HOUSEHOLD and level != OL.HOUSEHOLD:
        raise FundsRefused(_("到户类资产应确权到农户"), field="owner_level")
    if level == OL.HOUSEHOLD:
        if household in (None, ""):
            raise FundsRefused(_("确权到农户须指定农户"), field="owner_household")
        found = household_in_scope(user, household)
        _in_county(found.village, county, "owner_household")
        asset.owner_level, asset.owner_household, asset.owner_area = level, found, None
        return
    if area_code in (None, ""):
        area_code = county.code if level == OL.COUNTY else ""
    if not area_code:
        raise FundsRefused(_("请填写所有权单位"), field="owner_area_code")
    area = _area_anywhere(area_code, "owner_area_code")
    if area.level != OWNER_AREA_LEVEL[level]:
        raise FundsRefused(
            _("确权层级为“%(level)s”，而“%(name)s”是%(area_level)s")
            % {"level": OL(level).label, "name": area.name, "area_level": area.get_level_display()},
            field="owner_area_code",
        )
    _in_county(area, county, "owner_area_code")
    if not (in_scope(user, area.code) or (getattr(user, "area_id", "") or "").startswith(area.prefix)):
        raise NotFound(_("未找到区划“%(code)s”，或不在您的管辖范围内") % {"code": area.code}, field="owner_area_code")
    asset.owner_level, asset.owner_area, asset.owner_household = level, area, None


def _area_anywhere(code, field: str) -> Area:
    """An area by its code, in or out of the user's area: the owner may be the county above a township's user
    (the caller checks it is the user's own, one inside it or one above it, then the county)."""
    code = str(getattr(code, "code", code) or "").strip()
    found = Area.objects.filter(code=code).first() if code.isascii() and code.isdigit() else None
    if found is None:
        raise NotFound(_("未找到区划“%(code)s”") % {"code": code}, field=field)
    return found


def _build(user, fields: dict, *, project: Project | None) -> Asset:
    """An unsaved asset from `fields` (ASSET_FIELDS), every rule checked."""
    unknown = sorted(set(fields) - set(ASSET_FIELDS))
    if unknown:
        raise FundsRefused(_("资产没有这些字段：%(names)s") % {"names": "、".join(unknown)})
    area_code = fields.get("area_code") or (project.area_id if project else "")
    if not area_code:
        raise FundsRefused(_("请填写坐落地点"), field="area_code")
    area = area_of(user, area_code, levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    county = county_of(area)
    if project is not None and not area.code.startswith(county_of(project.area).prefix):
        raise FundsRefused(_("资产坐落地点应在项目所在县"), field="area_code")
    formed_on = fields.get("formed_on") or (project.accepted_on if project else None)
    asset = Asset(
        county=county,
        project=project,
        area=area,
        code=_text(fields.get("code"), "code", 40),
        name=_text(fields.get("name"), "name", 120, required=True),
        category=_choice(fields.get("category"), C, "category", required=True),
        kind=_text(fields.get("kind"), "kind", 40),
        location=_text(fields.get("location"), "location", 120),
        quantity=_quantity(fields.get("quantity")),
        unit=_choice(fields.get("unit"), codes.PhysicalUnit, "unit"),
        value=wan(fields.get("value"), field="value", label=label("value")),
        formed_on=check_date(formed_on, field="formed_on", label=label("formed_on")),
        rights=_rights(fields.get("rights")),
        maintainer=_text(fields.get("maintainer"), "maintainer", 80),
        state=_choice(fields.get("state") or ST.IN_USE, ST, "state"),
    )
    if asset.state == ST.DISPOSED:
        raise FundsRefused(_("新录入的资产不能是“已处置”，处置请在资产页办理"), field="state")
    if asset.code and Asset.objects.filter(county=county, code=asset.code).exists():
        raise FundsRefused(_("资产编号“%(code)s”已在本县使用") % {"code": asset.code}, field="code")
    household = fields.get("owner_household")
    if asset.category == C.HOUSEHOLD and household in (None, ""):
        raise FundsRefused(_("到户类资产须填写所有权农户"), field="owner_household")
    level = fields.get("owner_level") or (OL.HOUSEHOLD if household not in (None, "") else "")
    if level:
        _owner(user, asset, level, fields.get("owner_area_code"), household, county)
        asset.rights.setdefault(codes.Right.OWNERSHIP.value, owner_name(asset))
        asset.confirmed_on = check_date(
            fields.get("confirmed_on") or asset.formed_on,
            field="confirmed_on",
            label=label("confirmed_on"),
            not_before=asset.formed_on,
            before_label=label("formed_on"),
        )
    return asset


def _save_new(user, asset: Asset, via: str) -> Asset:
    asset.recorded_by = user if getattr(user, "pk", None) else None
    asset.save()
    audit.record(user, Action.CREATE, asset, changes=audit.snapshot(asset), via=via)
    return asset


def _project(user, project) -> Project:
    found = Project.objects.restrict(user).select_for_update().filter(pk=getattr(project, "pk", project)).first()
    if found is None:
        raise NotFound(_("未找到该项目，或其不在您的管辖范围内"), field="project")
    return found


def check_project_may_form_assets(project: Project) -> None:
    """Only a project accepted as passed (验收合格) forms assets: before acceptance its value is not known."""
    if project.stage not in ASSET_STAGES or project.acceptance_result != codes.AcceptanceResult.PASSED:
        raise FundsRefused(
            _("项目“%(name)s”尚未验收合格（当前：%(stage)s），不能登记其形成的资产")
            % {"name": project.name, "stage": project.get_stage_display()},
            field="project",
        )


@transaction.atomic
def create_from_project(user, project, rows: list[dict], *, via="ui") -> list[Asset]:
    """The assets an accepted project formed, each row ASSET_FIELDS (its place defaults to the project's, its date
    to the acceptance). Their values together, with the project's assets already on file, may not exceed the
    project's cost (投资估算): an asset is what the money built."""
    require_role(user, codes.ASSET_KEEPERS, _("登记项目资产"))
    project = _project(user, project)
    check_project_may_form_assets(project)
    if not rows:
        raise FundsRefused(_("请至少填写一项资产"), field="rows")
    assets = []
    for number, row in enumerate(rows, 1):
        try:
            assets.append(_build(user, row, project=project))
        except FundsRefused as error:
            if len(rows) == 1:
                raise
            raise FundsRefused(
                _("第%(n)s项资产：%(why)s") % {"n": number, "why": error.message}, field=error.field
            ) from error
    codes_given = [a.code for a in assets if a.code]
    if len(codes_given) != len(set(codes_given)):
        raise FundsRefused(_("资产编号重复"), field="code")
    on_file = project.assets.aggregate(total=Sum("value"))["total"] or Decimal(0)
    total = sum((a.value for a in assets), Decimal(0)) + Decimal(str(on_file))
    if total > project.cost:
        raise FundsRefused(
            _("资产价值合计 %(total)s 万元超过项目投资 %(cost)s 万元")
            % {"total": total.quantize(codes.WAN_QUANTUM), "cost": project.cost},
            field="value",
        )
    return [_save_new(user, asset, via) for asset in assets]


@transaction.atomic
def create_asset(user, *, via="ui", project=None, **fields) -> Asset:
    """An asset entered directly: one formed before the project library (no project), or of an accepted project."""
    require_role(user, codes.ASSET_KEEPERS, _("登记资产"))
    if project not in (None, ""):
        return create_from_project(user, project, [fields], via=via)[0]
    return _save_new(user, _build(user, fields, project=None), via)


def locked(user, asset) -> Asset:
    """The asset, locked, inside the user's area; another area's is "not found" like a missing one."""
    key = getattr(asset, "pk", asset)
    found = Asset.objects.restrict(user).select_for_update().filter(pk=key).first() if str(key).isdigit() else None
    if found is None:
        raise NotFound(_("未找到该资产，或其不在您的管辖范围内"))
    return found


def _not_disposed(asset: Asset) -> None:
    if asset.state == ST.DISPOSED:
        raise FundsRefused(_("该资产已于 %(date)s 处置") % {"date": asset.disposed_on}, field="state")


@transaction.atomic
def confirm_ownership(
    user, asset, *, owner_level, on: date, owner_area_code=None, owner_household=None, rights=None,
    maintainer=None, via="ui",
) -> Asset:  # fmt: skip
    """确权: the owner (the county, a township, a village collective of the asset's county, or a household for a
    household asset), the day, the rights (right → holder; the ownership right is the owner's unless named) and
    who maintains it."""
    require_role(user, codes.ASSET_KEEPERS, _("资产确权"))
    asset = locked(user, asset)
    _not_disposed(asset)
    before = audit.snapshot(asset)
    _owner(user, asset, owner_level, owner_area_code, owner_household, asset.county)
    asset.confirmed_on = check_date(
        on,
        field="confirmed_on",
        label=label("confirmed_on"),
        not_before=asset.formed_on,
        before_label=label("formed_on"),
    )
    if rights is not None:
        asset.rights = _rights(rights)
    owner = owner_name(asset)
    asset.rights.setdefault(codes.Right.OWNERSHIP.value, owner)
    if maintainer is not None:
        asset.maintainer = _text(maintainer, "maintainer", 80)
    asset.save()
    audit.record(user, Action.UPDATE, asset, changes=audit.diff(before, audit.snapshot(asset)), via=via)
    return asset


def owner_name(asset: Asset) -> str:
    """Who owns it, as the ledgers name them: the unit's name (a village: its collective), or the household's
    number and head (the registry's own display; nothing sensitive)."""
    if asset.owner_household_id:
        return f"{asset.owner_household.number} {asset.owner_household.head_name}"
    if asset.owner_area_id:
        suffix = _("村集体") if asset.owner_level == OL.VILLAGE else ""
        return f"{asset.owner_area.name}{suffix}"
    return ""


@transaction.atomic
def record_maintenance(user, asset, *, on: date, work: str, cost=None, via="ui") -> Maintenance:
    """An upkeep record (管护): the day (not before the asset was formed), what was done, its cost in yuan."""
    require_role(user, codes.ASSET_KEEPERS, _("记录资产管护"))
    asset = locked(user, asset)
    _not_disposed(asset)
    day = check_date(on, field="on", label=_("管护日期"), not_before=asset.formed_on, before_label=label("formed_on"))
    work = str(work or "").strip()
    if not work:
        raise FundsRefused(_("请填写管护内容"), field="work")
    if len(work) > 200:
        raise FundsRefused(_("管护内容最多200个字"), field="work")
    amount = None
    if cost not in (None, ""):
        amount = wan(cost, field="cost", label=_("费用（元）"))
        if amount != amount.quantize(Decimal("0.01")):
            raise FundsRefused(_("费用（元）须精确到分"), field="cost")
        amount = amount.quantize(Decimal("0.01"))
    record = Maintenance.objects.create(
        asset=asset, on=day, work=work, cost=amount, by=user if getattr(user, "pk", None) else None
    )
    audit.record(user, Action.CREATE, record, area_code=asset.area_id, changes=audit.snapshot(record), via=via)
    return record


@transaction.atomic
def set_state(user, asset, *, state, via="ui") -> Asset:
    """正常使用 / 闲置 / 损毁待修; a disposal is its own act (dispose), with a reason and an approval."""
    require_role(user, codes.ASSET_KEEPERS, _("变更资产状态"))
    asset = locked(user, asset)
    _not_disposed(asset)
    state = _choice(state, ST, "state", required=True)
    if state == ST.DISPOSED:
        raise FundsRefused(_("处置资产请填写处置原因和批准文号"), field="state")
    before = audit.snapshot(asset)
    asset.state = state
    asset.save()
    audit.record(user, Action.UPDATE, asset, changes=audit.diff(before, audit.snapshot(asset)), via=via)
    return asset


@transaction.atomic
def dispose(user, asset, *, on: date, reason, approval: str, note: str = "", via="ui") -> Asset:
    """处置: the day, the reason (codes.DisposalReason), the approval's document number; approved by the county
    (the county's administrator records it, and is kept as the approver). An asset is disposed of once."""
    require_role(user, {Role.COUNTY_ADMIN}, _("批准资产处置"))
    asset = locked(user, asset)
    _not_disposed(asset)
    reason = _choice(reason, codes.DisposalReason, "disposal_reason", required=True)
    approval = _text(approval, "disposal_approval", 80, required=True)
    note = _text(note, "disposal_note", 200)
    if reason == codes.DisposalReason.OTHER and not note:
        raise FundsRefused(_("处置原因为“其他”时请填写处置说明"), field="disposal_note")
    day = check_date(on, field="disposed_on", label=label("disposed_on"), not_before=asset.formed_on,
                     before_label=label("formed_on"))  # fmt: skip
    before = audit.snapshot(asset)
    asset.state, asset.disposed_on, asset.disposal_reason = ST.DISPOSED, day, reason
    asset.disposal_approval, asset.disposal_note = approval, note
    asset.disposal_approved_by = user if getattr(user, "pk", None) else None
    asset.save()
    audit.record(user, Action.UPDATE, asset, changes=audit.diff(before, audit.snapshot(asset)), via=via)
    return asset


def lineage(asset: Asset) -> dict:
    """Where the asset came from: its project (none for one entered from the old ledger) and the project's funding
    sources with their planned amounts (万元)."""
    if not asset.project_id:
        return {"project": None, "funding": [], "funding_total": Decimal(0)}
    funding = list(FundingPlan.objects.filter(project_id=asset.project_id).select_related("source"))
    return {
        "project": asset.project,
        "funding": funding,
        "funding_total": sum((f.amount for f in funding), Decimal(0)).quantize(codes.WAN_QUANTUM),
    }


def accepted_projects(user):
    """The projects of the user's area that may form assets (for the form's choice)."""
    return (
        Project.objects.restrict(user)
        .filter(stage__in=ASSET_STAGES, acceptance_result=codes.AcceptanceResult.PASSED)
        .order_by("-accepted_on", "id")
    )
