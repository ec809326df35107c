"""What a check's row shows: the household (number, head, village, township) or the cadre or the village behind
it, and the detail in words (identified on, last visit and days since, the roles or set parts missing). The checks
find the ids in SQL; this reads the few columns a page or a sheet shows, in chunks."""

from datetime import date

from django.utils.translation import gettext as _

from fupin.areas.models import Area
from fupin.registry.models import Household

from .. import codes
from ..models import Cadre, Responsibility, SetPost
from .roles import responsible_roles

CHUNK = 2000


def as_date(value) -> date | None:
    """A date from a raw cursor: SQLite hands an aggregate's date over as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _areas(codes_) -> dict[str, tuple[str, str]]:
    """{village code: (village name, township name)}."""
    villages = {}
    for chunk in _chunks(set(codes_)):
        villages.update({a.code: a for a in Area.objects.filter(code__in=chunk)})
    parents = {a.code: a.name for a in Area.objects.filter(code__in={v.parent_id for v in villages.values()})}
    return {code: (v.name, parents.get(v.parent_id, "")) for code, v in villages.items()}


def _since(on: date, last: date | None) -> str:
    if last is None:
        return _("从未走访")
    return _("最后走访 %(date)s，已 %(days)s 天") % {"date": last.isoformat(), "days": (on - last).days}


def _missing_roles(ids, villages: dict[int, str], on: date) -> dict[int, str]:
    held: dict[int, set[str]] = {}
    for chunk in _chunks(ids):
        rows = Responsibility.objects.filter(household_id__in=chunk, started_on__lte=on).exclude(ended_on__lt=on)
        for household_id, role in rows.values_list("household_id", "role"):
            held.setdefault(household_id, set()).add(role)
    roles_by_county: dict[str, tuple] = {}
    missing = {}
    for household_id in ids:
        village = villages[household_id]
        roles = roles_by_county.setdefault(village[:6], responsible_roles(village))
        names = [role.name for role in roles if role.code not in held.get(household_id, set())]
        missing[household_id] = _("缺：%(roles)s") % {"roles": "、".join(names)}
    return missing


def _households(check, keys, on: date) -> list[dict]:
    detail_of = dict(keys)
    households = []
    for chunk in _chunks(detail_of):
        households.extend(Household.objects.filter(id__in=chunk).values("id", "number", "head_name", "village_id"))
    villages = {h["id"]: h["village_id"] for h in households}
    areas = _areas(villages.values())
    if check.code == "missing_responsible":
        words = _missing_roles(list(villages), villages, on)
    else:
        words = {}
        for household_id, value in detail_of.items():
            day = as_date(value)
            if check.code == "no_measure":
                words[household_id] = _("纳入监测 %(date)s") % {"date": day.isoformat() if day else "—"}
            elif check.code == "not_visited":
                words[household_id] = _since(on, day)
            else:
                words[household_id] = _("最后一项措施 %(date)s 结束") % {"date": day.isoformat() if day else "—"}
    rows = [
        {
            "id": h["id"],
            "number": h["number"],
            "name": h["head_name"],
            "area_code": h["village_id"],
            "village": areas.get(h["village_id"], ("", ""))[0],
            "township": areas.get(h["village_id"], ("", ""))[1],
            "detail": words[h["id"]],
        }
        for h in households
    ]
    return sorted(rows, key=lambda row: (row["area_code"], row["number"]))


def _cadres(check, keys, on: date) -> list[dict]:
    detail_of = dict(keys)
    cadres = []
    for chunk in _chunks(detail_of):
        cadres.extend(Cadre.objects.filter(id__in=chunk).select_related("unit"))
    areas = {a.code: a for a in Area.objects.filter(code__in={c.area_id for c in cadres})}
    rows = []
    for cadre in cadres:
        value = detail_of[cadre.pk]
        if check.code == "cadre_overloaded":
            detail = _("结对 %(n)s 户") % {"n": value}
        else:
            detail = _since(on, as_date(value))
        area = areas.get(cadre.area_id)
        rows.append(
            {
                "id": cadre.pk,
                "number": cadre.unit.name if cadre.unit else "",
                "name": cadre.name,
                "area_code": cadre.area_id,
                "village": area.name if area else "",
                "township": "",
                "detail": detail,
            }
        )
    return sorted(rows, key=lambda row: (row["area_code"], row["name"], row["id"]))


def _villages(keys, on: date) -> list[dict]:
    poor = {code: bool(flag) for code, flag in keys}
    held: dict[str, set[str]] = {}
    for chunk in _chunks(poor):
        posts = SetPost.objects.filter(village_id__in=chunk, started_on__lte=on).exclude(ended_on__lt=on)
        for village, part in posts.values_list("village_id", "part"):
            held.setdefault(village, set()).add(part)
    areas = _areas(poor)
    rows = []
    for code in sorted(poor):
        required = codes.FIVE_SET if poor[code] else codes.THREE_SET
        missing = [part.label for part in required if part.value not in held.get(code, set())]
        label = _("五个一") if poor[code] else _("三个一")
        rows.append(
            {
                "id": code,
                "number": code,
                "name": areas.get(code, ("", ""))[0],
                "area_code": code,
                "village": areas.get(code, ("", ""))[0],
                "township": areas.get(code, ("", ""))[1],
                "detail": _("%(set)s缺：%(parts)s") % {"set": label, "parts": "、".join(str(m) for m in missing)},
            }
        )
    return rows


def describe(check, keys, on: date) -> list[dict]:
    if check.lists == "households":
        return _households(check, keys, on)
    if check.lists == "cadres":
        return _cadres(check, keys, on)
    return _villages(keys, on)
