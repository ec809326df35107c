"""Entering the money (topic A): the county's fund sources, their yearly budgets, allocation batches (批次) with the
amounts their documents declare by source and their lines by source × category × receiving unit, and transfers down
the levels (county → department / township → village); the publication of results is in ledger_publication.py.
Every writer checks the role, the scope and the amounts before it writes anything, is atomic and leaves its audit
entry. "Remaining for the next batch" is computed here (remaining()), never typed."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import audit
from fupin.accounts.models import Action
from fupin.accounts.roles import Role
from fupin.areas.models import Area, Level
from fupin.core.errors import NotFound

from .. import codes
from ..models import Batch, BatchSource, Budget, FundSource, Transfer
from .common import FundsRefused, NotYours, area_of, check_date, county_of, require_role, source_of, wan

#: who moves money on: the county's clerks (the county's and its departments' money), a township's (its own)
TRANSFERRERS = frozenset({Role.COUNTY_ADMIN, Role.TOWNSHIP})
ZERO = Decimal("0.0000")


# ── small checks ───────────────────────────────────────────────────────────────────────────────────────────────


def text(value, *, field, label, limit, required=True) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise FundsRefused(_("请填写%(what)s") % {"what": label}, field=field)
    if len(value) > limit:
        raise FundsRefused(_("%(what)s不能超过%(n)s个字") % {"what": label, "n": limit}, field=field)
    return value


def year_of(value, *, field="year", label=None) -> int:
    """A fund year: 2000 up to next year (a budget is set before its year begins)."""
    label = label or _("年度")
    high = timezone.localdate().year + 1
    try:
        year = int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= high:
        raise FundsRefused(
            _("%(what)s应为 2000 至 %(high)s 之间的年份，实际是“%(value)s”")
            % {"what": label, "high": high, "value": value},
            field=field,
        )
    return year


def choice(value, choices, *, field, label, required=True) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    if value not in choices.values:
        raise FundsRefused(_("%(what)s“%(value)s”不在代码表中") % {"what": label, "value": value}, field=field)
    return value


def county_in_scope(user, code) -> Area:
    return area_of(user, code, field="county_code", levels=(Level.COUNTY,))


def _source(user, source, county: Area | None = None, *, field="source_id") -> FundSource:
    found = source_of(user, getattr(source, "pk", source), field=field)
    if county is not None and found.county_id != county.code:
        raise NotFound(_("未找到资金来源“%(id)s”") % {"id": found.pk}, field=field)
    return found


def _created(user, obj, *, via):
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    audit.record(user, Action.CREATE, obj, changes=audit.diff({}, audit.snapshot(obj)), via=via)
    return obj


# ── sources and budgets ────────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def create_source(user, *, county_code, name, level, kind, line="", note="", via="") -> FundSource:
    """A named line of money of the county; a name is used once in a county (the ledgers read by it)."""
    require_role(user, codes.FUND_KEEPERS, _("登记资金来源"))
    county = county_in_scope(user, county_code)
    source = FundSource(
        county=county,
        name=text(name, field="name", label=_("资金名称"), limit=80),
        level=choice(level, codes.FundLevel, field="level", label=_("资金级次")),
        kind=choice(kind, codes.FundKind, field="kind", label=_("资金性质")),
        line=text(line, field="line", label=_("资金项目（科目）"), limit=80, required=False),
        note=text(note, field="note", label=_("备注"), limit=200, required=False),
    )
    if FundSource.objects.filter(county=county, name=source.name).exists():
        raise FundsRefused(_("本县已有资金来源“%(name)s”") % {"name": source.name}, field="name")
    return _created(user, source, via=via)


@transaction.atomic
def set_budget(user, *, source, year, amount, document_date, document_no="", note="", via="") -> Budget:
    """A source's budget for a year (one a year: a later change is a new document, entered as a correction of the
    row through the admin's history, never a second row that would double the ledger's receipt)."""
    require_role(user, codes.FUND_KEEPERS, _("录入年度资金预算"))
    source = _source(user, source)
    year = year_of(year)
    budget = Budget(
        source=source,
        county_id=source.county_id,
        year=year,
        amount=wan(amount, field="amount", label=_("预算金额")),
        document_no=text(document_no, field="document_no", label=_("文号"), limit=80, required=False),
        document_date=check_date(document_date, field="document_date", label=_("下达日期")),
        note=text(note, field="note", label=_("备注"), limit=200, required=False),
        recorded_by=user,
    )
    if Budget.objects.filter(source=source, year=year).exists():
        raise FundsRefused(
            _("“%(source)s”%(year)s年的预算已录入") % {"source": source.name, "year": year}, field="year"
        )
    return _created(user, budget, via=via)


# ── what is left of a year's budget ────────────────────────────────────────────────────────────────────────────


def charged(source: FundSource, year: int, *, exclude_batch: Batch | None = None) -> Decimal:
    """What the county has put on `source`'s budget of `year`: each batch of that year its declared amount less
    the part advanced in an earlier year (which that year's budget carried); the advances later batches declare
    they took from this year; the county's own transfers of the year outside batches; and advance rows of the
    year (提前下达, outside batches) beyond what later batches have declared as advanced — those rows are that
    declared money, counted once."""
    batches = BatchSource.objects.filter(source=source).exclude(batch=exclude_batch)
    declared = batches.filter(batch__year=year).aggregate(
        d=Sum("declared"), a=Sum("advanced", filter=Q(advanced_year__lt=year))
    )
    advanced_from = batches.filter(advanced_year=year, batch__year__gt=year).aggregate(a=Sum("advanced"))["a"] or 0
    own = Transfer.objects.filter(
        source=source, year=year, batch__isnull=True, from_area_id=source.county_id, from_department=""
    ).exclude(kind=codes.TransferKind.ADVANCE)
    own = own.aggregate(t=Sum("amount"))["t"] or 0
    uncovered = uncovered_advances(source, year, exclude_batch=exclude_batch)
    total = (declared["d"] or 0) - (declared["a"] or 0) + advanced_from + own + uncovered
    return Decimal(total).quantize(codes.WAN_QUANTUM)


def uncovered_advances(source: FundSource, year: int, *, exclude_batch: Batch | None = None) -> Decimal:
    """Advance rows of `year` (sent ahead, outside batches) that no later batch has yet declared as advanced: a
    batch that declares them takes them from here, not again from the year's budget."""
    rows = Transfer.objects.filter(
        source=source, year=year, batch__isnull=True, kind=codes.TransferKind.ADVANCE,
        from_area_id=source.county_id, from_department="",
    ).aggregate(t=Sum("amount"))["t"] or 0  # fmt: skip
    declared = (
        BatchSource.objects.filter(source=source, advanced_year=year, batch__year__gt=year)
        .exclude(batch=exclude_batch)
        .aggregate(a=Sum("advanced"))["a"]
        or 0
    )
    return Decimal(max(rows - declared, 0)).quantize(codes.WAN_QUANTUM)


def budget_of(source: FundSource, year: int) -> Decimal:
    found = Budget.objects.filter(source=source, year=year).values_list("amount", flat=True).first()
    return ZERO if found is None else found


def remaining(source: FundSource, year: int, *, exclude_batch: Batch | None = None) -> Decimal:
    """The year's budget not yet allocated (seed 004: 8,377.5 − (6,555.8557 − 1,320) = 3,141.6443 万元 left for
    the second batch)."""
    return budget_of(source, year) - charged(source, year, exclude_batch=exclude_batch)


# ── batches ────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Holder:
    """A point of the money's flow: an area and, at the county, one of its departments."""

    area: Area
    department: str = ""

    @property
    def level(self) -> int:
        if self.area.level == Level.COUNTY:
            return codes.HolderLevel.DEPARTMENT if self.department else codes.HolderLevel.COUNTY
        return codes.HolderLevel.TOWNSHIP if self.area.level == Level.TOWNSHIP else codes.HolderLevel.VILLAGE

    @property
    def label(self) -> str:
        if self.department:
            return str(codes.Department(self.department).label)
        return self.area.name


def holder_of(user, area_code, department="", *, field="to_area_code") -> Holder:
    area = area_of(user, area_code, field=field, levels=(Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
    department = choice(department, codes.Department, field=field.replace("area_code", "department"),
                        label=_("部门"), required=False)  # fmt: skip
    if department and area.level != Level.COUNTY:
        raise FundsRefused(_("部门只在县级：“%(name)s”不是县") % {"name": area.name}, field=field)
    return Holder(area, department)


def _check_move(giver: Holder, taker: Holder, *, field="to_area_code") -> None:
    """Money moves down one or more levels inside the giver's area: county → department / township / village,
    department → township / village, township → its villages."""
    if taker.level <= giver.level or not taker.area.code.startswith(giver.area.prefix):
        raise FundsRefused(
            _("资金只能从“%(giver)s”下达到其下级单位，“%(taker)s”不是") % {"giver": giver.label, "taker": taker.label},
            field=field,
        )


def _may_move(user, giver: Holder, what: str) -> None:
    """The county's clerks move the county's and its departments' money; a township's clerk only his township's."""
    require_role(user, TRANSFERRERS, what)
    if getattr(user, "is_superuser", False) or user.role == Role.COUNTY_ADMIN:
        return
    if giver.area.code != user.area_id or giver.department:
        raise NotYours(_("乡镇只能下达本乡镇的资金到本乡镇的村"))


def _batch_sources(user, county, year, sources) -> list[BatchSource]:
    rows, seen = [], set()
    for index, item in enumerate(sources, start=1):
        field = f"sources.{index}"
        source = _source(user, item.get("source"), county, field=f"{field}.source_id")
        if source.pk in seen:
            raise FundsRefused(_("资金来源“%(name)s”列了两次") % {"name": source.name}, field=f"{field}.source_id")
        seen.add(source.pk)
        declared = wan(item.get("declared"), field=f"{field}.declared", label=_("文件金额"))
        advanced = wan(item.get("advanced") or 0, field=f"{field}.advanced", label=_("其中提前下达"))
        advanced_year = item.get("advanced_year") or None
        if advanced > declared:
            raise FundsRefused(
                _("“%(name)s”提前下达的 %(advanced)s 万元超过文件金额 %(declared)s 万元")
                % {"name": source.name, "advanced": advanced, "declared": declared},
                field=f"{field}.advanced",
            )
        if advanced and advanced_year is None:
            raise FundsRefused(_("请填写提前下达的年度"), field=f"{field}.advanced_year")
        if advanced_year is not None:
            advanced_year = year_of(advanced_year, field=f"{field}.advanced_year", label=_("提前下达年度"))
            if advanced_year >= year:
                raise FundsRefused(
                    _("提前下达年度应早于批次年度 %(year)s") % {"year": year}, field=f"{field}.advanced_year"
                )
        rows.append(BatchSource(source=source, declared=declared, advanced=advanced, advanced_year=advanced_year))
    if not rows:
        raise FundsRefused(_("请至少填写一个资金来源及其文件金额"), field="sources")
    return rows


def _check_budgets(rows: list[BatchSource], year: int, batch: Batch | None) -> None:
    """A batch may not allocate more of a year's budget than is left of it, nor advance more of an earlier
    year's than that year left."""
    for row in rows:
        need = row.declared - row.advanced
        left = remaining(row.source, year, exclude_batch=batch)
        if need > left:
            raise FundsRefused(
                _("“%(name)s”%(year)s年预算剩余 %(left)s 万元，本批次需安排 %(need)s 万元（文件金额减提前下达）")
                % {"name": row.source.name, "year": year, "left": left, "need": need},
                field="sources",
            )
        if row.advanced:
            left = remaining(row.source, row.advanced_year, exclude_batch=batch)
            left += uncovered_advances(row.source, row.advanced_year, exclude_batch=batch)
            if row.advanced > left:
                raise FundsRefused(
                    _("“%(name)s”%(year)s年预算剩余 %(left)s 万元，不足提前下达的 %(need)s 万元")
                    % {"name": row.source.name, "year": row.advanced_year, "left": left, "need": row.advanced},
                    field="sources",
                )


def _line(user, batch: Batch, county: Area, item: dict, index: int, sources: dict) -> Transfer:
    field = f"lines.{index}"
    source = _source(user, item.get("source"), county, field=f"{field}.source_id")
    if source.pk not in sources:
        raise FundsRefused(
            _("第%(n)s行的资金来源“%(name)s”不在本批次的文件金额中") % {"n": index, "name": source.name},
            field=f"{field}.source_id",
        )
    taker = holder_of(user, item.get("to_area_code"), item.get("to_department") or "", field=f"{field}.to_area_code")
    _check_move(Holder(county), taker, field=f"{field}.to_area_code")
    amount = wan(item.get("amount"), field=f"{field}.amount", label=_("金额"))
    if amount == 0:
        raise FundsRefused(_("第%(n)s行的金额为 0") % {"n": index}, field=f"{field}.amount")
    return Transfer(
        county=county,
        year=batch.year,
        batch=batch,
        source=source,
        category=choice(item.get("category"), codes.UseCategory, field=f"{field}.category", label=_("资金用途")),
        from_area=county,
        to_area=taker.area,
        to_department=taker.department,
        amount=amount,
        on=batch.document_date,
        document_no=batch.document_no,
        note=text(item.get("note"), field=f"{field}.note", label=_("备注"), limit=200, required=False),
        recorded_by=user,
    )


@transaction.atomic
def create_batch(
    user, *, county_code, year, number, title, document_date, document_no="", sources=(), lines=(), via=""
) -> Batch:
    """An allocation batch as its document reads: the total by source (with the part advanced in an earlier year)
    and the lines by source × category × receiving unit. Lines that do not add up to the document's totals are
    kept as entered and the difference is shown (batch_summary), never corrected."""
    require_role(user, codes.FUND_KEEPERS, _("录入资金分配批次"))
    county = county_in_scope(user, county_code)
    year = year_of(year)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 99:
        raise FundsRefused(_("批次应为 1 至 99"), field="number")
    batch = Batch(
        county=county,
        year=year,
        number=number,
        title=text(title, field="title", label=_("批次名称"), limit=120),
        document_no=text(document_no, field="document_no", label=_("文号"), limit=80, required=False),
        document_date=check_date(document_date, field="document_date", label=_("印发日期")),
        recorded_by=user,
    )
    if Batch.objects.filter(county=county, year=year, number=number).exists():
        raise FundsRefused(_("%(year)s年第%(n)s批已录入") % {"year": year, "n": number}, field="number")
    rows = _batch_sources(user, county, year, sources)
    _check_budgets(rows, year, None)
    by_source = {row.source.pk: row for row in rows}
    transfers = [_line(user, batch, county, dict(item), n, by_source) for n, item in enumerate(lines, start=1)]
    try:
        with transaction.atomic():
            _created(user, batch, via=via)
    except IntegrityError:
        raise FundsRefused(_("%(year)s年第%(n)s批已录入") % {"year": year, "n": number}, field="number") from None
    for row in rows:
        row.batch = batch
        row.save()
    for transfer in transfers:
        transfer.batch = batch
    Transfer.objects.bulk_create(transfers)
    audit.record(
        user,
        Action.CREATE,
        batch,
        model="funds.batch_lines",
        changes={"sources": [[r.source_id, str(r.declared), str(r.advanced)] for r in rows], "lines": len(transfers)},
        via=via,
    )
    return batch


@transaction.atomic
def add_lines(user, batch: Batch, lines, *, via="") -> list[Transfer]:
    """More lines of a batch's document (a long document entered in parts)."""
    require_role(user, codes.FUND_KEEPERS, _("录入资金分配批次"))
    batch = _batch_in_scope(user, batch)
    county = batch.county
    by_source = {row.source_id: row for row in batch.sources.all()}
    transfers = [_line(user, batch, county, dict(item), n, by_source) for n, item in enumerate(lines, start=1)]
    if not transfers:
        raise FundsRefused(_("请至少填写一行分配明细"), field="lines")
    Transfer.objects.bulk_create(transfers)
    audit.record(user, Action.UPDATE, batch, model="funds.batch_lines", changes={"lines": len(transfers)}, via=via)
    return transfers


def _batch_in_scope(user, batch) -> Batch:
    found = Batch.objects.restrict(user).select_related("county").filter(pk=getattr(batch, "pk", batch)).first()
    if found is None:
        raise NotFound(_("未找到该批次，或不在您的管辖范围内"))
    return found


# ── transfers down the levels ──────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def record_transfer(
    user,
    *,
    from_area_code,
    to_area_code,
    source,
    category,
    year,
    amount,
    on,
    from_department="",
    to_department="",
    document_no="",
    note="",
    kind=codes.TransferKind.ALLOCATION,
    via="",
) -> Transfer:
    """Money passed on down a level. The giver must hold it: the county what is left of the year's budget, any
    other holder its balance of that source and category, both on the day and today (a back-dated transfer may not
    overdraw what was passed on since)."""
    from .ledger import holder_balance

    giver = holder_of(user, from_area_code, from_department, field="from_area_code")
    _may_move(user, giver, _("下达资金"))
    taker = holder_of(user, to_area_code, to_department, field="to_area_code")
    _check_move(giver, taker)
    county = county_of(giver.area)
    source = _source(user, source, county)
    kind = choice(kind, codes.TransferKind, field="kind", label=_("下达方式"))
    if kind == codes.TransferKind.RECALL:
        raise FundsRefused(_("收回调整请由县级在批次中更正"), field="kind")
    transfer = Transfer(
        county=county,
        year=year_of(year),
        kind=kind,
        source=source,
        category=choice(category, codes.UseCategory, field="category", label=_("资金用途")),
        from_area=giver.area,
        from_department=giver.department,
        to_area=taker.area,
        to_department=taker.department,
        amount=wan(amount, field="amount", label=_("金额")),
        on=check_date(on, field="on", label=_("下达日期")),
        document_no=text(document_no, field="document_no", label=_("文号"), limit=80, required=False),
        note=text(note, field="note", label=_("备注"), limit=200, required=False),
        recorded_by=user,
    )
    if transfer.amount == 0:
        raise FundsRefused(_("金额为 0"), field="amount")
    if giver.level == codes.HolderLevel.COUNTY:
        left = remaining(source, transfer.year)
        if kind == codes.TransferKind.ADVANCE:  # an advance row may be the money a later batch declared advanced
            covered = (
                BatchSource.objects.filter(source=source, advanced_year=transfer.year).aggregate(a=Sum("advanced"))["a"]
                or 0
            )
            rows = Transfer.objects.filter(
                source=source, year=transfer.year, batch__isnull=True, kind=codes.TransferKind.ADVANCE,
                from_area_id=source.county_id, from_department="",
            ).aggregate(t=Sum("amount"))["t"] or 0  # fmt: skip
            left += max(covered - rows, 0)
    else:
        day = holder_balance(giver, source, transfer.category, as_of=transfer.on)
        now = holder_balance(giver, source, transfer.category, as_of=max(transfer.on, timezone.localdate()))
        left = min(day, now)
    if left is not None and transfer.amount > left:
        raise FundsRefused(
            _("“%(holder)s”的“%(source)s”%(category)s可用余额 %(left)s 万元，不足下达 %(amount)s 万元")
            % {
                "holder": giver.label,
                "source": source.name,
                "category": transfer.get_category_display(),
                "left": left,
                "amount": transfer.amount,
            },
            field="amount",
        )
    return _created(user, transfer, via=via)
