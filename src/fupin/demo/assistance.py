"""The demo county's assistance records (issue 14), so every check and every assistance page has something to show:
units, cadres (the demo "cadre" login linked to one of them), resident teams in 3 batches, the villages' sets (some
incomplete), pairings and responsible persons (some missing), measures of every kind (some households without any,
some whose measures all ended), visits (some households not visited in the period), a relocation site with its
households, a training, enterprise pairings and social aid.

Written with bulk_create after the registry's load, for the demo logins' township only (its villages hold a few
thousand households at most, whatever --persons), so it costs about the same at every size. Deterministic in the
seed, as the rest of the demo."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.assistance import codes
from fupin.assistance import models as m
from fupin.registry.codes import Status
from fupin.registry.models import Household, Member

#: at most this many monitored households get assistance records (a township of the 10M demo has a few hundred)
MAX_HOUSEHOLDS = 2000
#: the models this part fills, children first (what --replace empties before the registry's tables)
MODELS = (
    m.VisitPhoto,
    m.Visit,
    m.Attendance,
    m.Training,
    m.SocialAid,
    m.EnterprisePairing,
    m.Relocation,
    m.RelocationSite,
    m.Measure,
    m.Responsibility,
    m.Pairing,
    m.SetPost,
    m.TeamMember,
    m.WorkTeam,
    m.Cadre,
    m.Unit,
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国志强海燕红梅晓东文华玉兰国庆春生桂英德明秀珍永红丽娟"


def delete_existing(prefix: str) -> None:
    """Empty the assistance records of the demo areas, children first (the registry's delete would trip on them)."""
    from fupin.areas.models import code_range

    low, high = code_range(prefix)
    for model in MODELS:
        path = model.objects.none().area_path if hasattr(model.objects.none(), "area_path") else "village_id"
        model.objects.filter(**{f"{path}__gte": low, f"{path}__lt": high}).delete()


def _name(rng) -> str:
    given = rng.integers(0, len(GIVEN) // 2)
    return SURNAMES[rng.integers(0, len(SURNAMES))] + GIVEN[2 * given : 2 * given + 2]


def build(as_of: date, seed: int) -> dict[str, int]:
    """Create the records; returns rows written by model label."""
    rng = np.random.default_rng(seed + 14)
    login = User.objects.filter(username="cadre").first()
    if login is None or login.area_id is None:
        return {}
    village = Area.objects.get(code=login.area_id)
    township = village.parent
    county = township.parent
    villages = list(Area.objects.filter(parent=township, level=Level.VILLAGE).order_by("code"))
    written: dict[str, int] = {}

    def save(model, rows):
        made = model.objects.bulk_create(rows)
        label = model._meta.label
        written[label] = written.get(label, 0) + len(made)
        return made

    units = save(
        m.Unit,
        [
            m.Unit(area=county, name="县农业农村局", kind=codes.UnitKind.DEPARTMENT, contact="赵主任"),
            m.Unit(area=county, name="县人社局", kind=codes.UnitKind.DEPARTMENT, contact="钱科长"),
            m.Unit(area=county, name="县农商银行", kind=codes.UnitKind.ENTERPRISE, contact="孙行长"),
            m.Unit(area=county, name="绿源农业有限公司", kind=codes.UnitKind.ENTERPRISE, contact="李经理"),
            m.Unit(area=county, name="县慈善总会", kind=codes.UnitKind.SOCIAL),
            m.Unit(area=county, name="东部协作市对口办", kind=codes.UnitKind.EAST_WEST),
        ],
    )
    leaders = save(
        m.Cadre,
        [
            m.Cadre(
                area=county,
                unit=units[k % 2],
                name=_name(rng),
                level=codes.CadreLevel.COUNTY,
                county_leader=True,
                post="副县长",
            )
            for k in range(2)
        ],
    )
    # per village: a first secretary and two team members; staff cadres pair with the households
    village_cadres = {}
    for index, area in enumerate(villages):
        secretary = m.Cadre(
            area=county,
            unit=units[index % 2],
            name=_name(rng),
            level=codes.CadreLevel.SECTION,
            first_secretary=True,
            team_member=True,
            post="驻村第一书记",
        )
        members = [m.Cadre(area=county, unit=units[index % 2], name=_name(rng), team_member=True) for _ in range(2)]
        village_cadres[area.code] = save(m.Cadre, [secretary, *members])
    # three batches of resident teams; the third still serving
    batches = (
        (1, date(2019, 3, 1), date(2021, 2, 28)),
        (2, date(2021, 3, 1), date(2023, 2, 28)),
        (3, date(2023, 3, 1), None),
    )
    teams, team_members, posts = [], [], []
    for index, area in enumerate(villages):
        for batch, start, end in batches:
            teams.append(m.WorkTeam(village=area, batch=batch, unit=units[index % 2], started_on=start, ended_on=end))
    teams = save(m.WorkTeam, teams)
    for team in teams:
        if team.ended_on is None:
            secretary, *members = village_cadres[team.village_id]
            team_members.append(
                m.TeamMember(team=team, cadre=secretary, role=m.TeamRole.FIRST_SECRETARY, joined_on=team.started_on)
            )
            team_members += [
                m.TeamMember(team=team, cadre=c, role=m.TeamRole.MEMBER, joined_on=team.started_on) for c in members
            ]
    save(m.TeamMember, team_members)
    # the set: complete in most villages; every third lacks its agronomist, every fifth its contact leader
    current = {team.village_id: team for team in teams if team.ended_on is None}
    start = date(2023, 3, 1)
    for index, area in enumerate(villages):
        secretary = village_cadres[area.code][0]
        parts = [
            (codes.SetPart.UNIT, {"unit": units[index % 2]}),
            (codes.SetPart.TEAM, {"team": current[area.code]}),
            (codes.SetPart.FIRST_SECRETARY, {"cadre": secretary}),
        ]
        if index % 5:
            parts.append((codes.SetPart.CONTACT_LEADER, {"cadre": leaders[index % 2]}))
        if index % 3:
            parts.append((codes.SetPart.AGRONOMIST, {"cadre": village_cadres[area.code][1]}))
        posts += [m.SetPost(village=area, part=part, started_on=start, **fields) for part, fields in parts]
    save(m.SetPost, posts)

    households = list(
        Household.objects.filter(village__in=villages, status=Status.MONITORED).order_by("village_id", "id")[
            :MAX_HOUSEHOLDS
        ]
    )
    if not households:
        households = list(Household.objects.filter(village__in=villages).order_by("id")[:50])
    staff = save(
        m.Cadre,
        [
            m.Cadre(
                area=township, unit=units[k % 2], name=_name(rng), level=codes.CadreLevel.STAFF, phone=f"1390000{k:04d}"
            )
            for k in range(max(1, len(households) // 5 + 1))
        ],
    )
    # the demo cadre login: the staff cadre paired with the first households of the demo village
    own = next((k for k, h in enumerate(households) if h.village_id == village.code), 0)
    mine = staff[own // 5]
    m.Cadre.objects.filter(pk=mine.pk).update(user=login)
    _records(save, rng, as_of, households, staff, village_cadres, leaders, units, village)
    return written


def _records(save, rng, as_of, households, staff, village_cadres, leaders, units, village):
    """Pairings, responsible persons, measures, visits and the programmes over the households."""
    since = max(as_of - timedelta(days=400), date(2021, 1, 1))
    pairings, duties, measures, visits = [], [], [], []
    roles = codes.DEFAULT_RESPONSIBLE_ROLES
    made = -1
    for k, household in enumerate(households):
        cadre = staff[k // 5]
        started = since + timedelta(days=int(rng.integers(0, 60)))
        pairings.append(
            m.Pairing(village_id=household.village_id, household=household, cadre=cadre, started_on=started)
        )
        holders = {"battle": village_cadres[household.village_id][0], "policy": leaders[k % 2], "household": cadre}
        for role in roles if k % 10 else roles[:2]:  # one in ten lacks its 包户帮扶责任人
            duties.append(
                m.Responsibility(
                    village_id=household.village_id,
                    household=household,
                    role=role.code,
                    role_name=role.name,
                    cadre=holders[role.code],
                    started_on=started,
                    automatic=True,
                )
            )
        if k % 9 == 4:  # no measure at all
            pass
        elif k % 9 == 2:  # its measures all ended
            measures.append(
                _measure(
                    household,
                    cadre,
                    "02",
                    started,
                    ended_on=as_of - timedelta(days=20),
                    status=codes.MeasureStatus.ENDED,
                    amount=Decimal("3000"),
                )
            )
        else:
            made += 1  # each kind in turn, whatever the specials took
            measures.append(_kind_measure(household, cadre, made, started))
        if k % 6 and k // 5 != 1:  # five in six visited in the period; the second cadre visits none of theirs
            visited = as_of - timedelta(days=int(rng.integers(0, 25)))
        else:
            visited = as_of - timedelta(days=int(rng.integers(45, 90)))
        visits.append(
            m.Visit(
                village_id=household.village_id,
                household=household,
                cadre=cadre,
                client_id=_uuid(rng),
                visited_on=visited,
                met=household.head_name,
                checks={c: True for c in codes.VisitCheck.values},
                policies=[codes.Policy.MONITORING],
            )
        )
    # the first cadre takes two more households of the township (not monitored): over the limit of five
    others = Household.objects.filter(village_id__in={h.village_id for h in households}).exclude(
        pk__in=[h.pk for h in households]
    )
    for household in others.order_by("id")[:2]:
        pairings.append(
            m.Pairing(village_id=household.village_id, household=household, cadre=staff[0], started_on=since)
        )
    save(m.Pairing, pairings)
    save(m.Responsibility, duties)
    save(m.Measure, measures)
    save(m.Visit, visits)
    _programmes(save, rng, as_of, households, units, village)


def _uuid(rng):
    import uuid

    return uuid.UUID(bytes=bytes(rng.integers(0, 256, 16, dtype=np.uint8)))


def _measure(household, cadre, category, started, **fields):
    return m.Measure(
        village_id=household.village_id,
        household=household,
        cadre=cadre,
        category=category,
        started_on=started,
        **{"status": codes.MeasureStatus.IN_PLACE, **fields},
    )


def _kind_measure(household, cadre, k, started):
    """A measure of each kind in turn: general ones of every category, loans, posts, education aid, subsidies."""
    kind = k % 5
    if kind == 1:
        return _measure(
            household,
            cadre,
            codes.MeasureCategory.FINANCE,
            started,
            kind=codes.MeasureKind.MICRO_LOAN,
            subtype="扶贫小额信贷",
            amount=Decimal("50000"),
            loan_amount=Decimal("50000"),
            loan_date=started,
            loan_term_months=36,
            loan_interest_subsidy=Decimal("2175"),
            loan_balance=Decimal("30000"),
            loan_overdue=k % 4 == 0,
        )
    if kind == 2:
        return _measure(
            household,
            cadre,
            codes.MeasureCategory.PUBLIC_POST,
            started,
            kind=codes.MeasureKind.PUBLIC_POST,
            subtype="村保洁员",
            amount=Decimal("6000"),
            post_type=codes.PostType.CLEANER,
            post_months=12,
            post_monthly_pay=Decimal("500"),
        )
    if kind == 3:
        student = Member.objects.filter(household=household).order_by("-birth_date").first()
        return _measure(
            household,
            cadre,
            codes.MeasureCategory.COMPULSORY_EDUCATION,
            started,
            kind=codes.MeasureKind.EDUCATION_AID,
            subtype="义务教育营养改善",
            member=student,
            education_stage=codes.EducationStage.PRIMARY,
            amount=Decimal("1000"),
        )
    if kind == 4:
        return _measure(
            household,
            cadre,
            codes.MeasureCategory.SOCIAL_SECURITY,
            started,
            kind=codes.MeasureKind.STANDARD_SUBSIDY,
            subtype="残疾人护理补贴",
            standard_code="disability_care",
            standard_level="一级",
            standard_monthly=Decimal("100"),
            amount=Decimal("1200"),
        )
    category = list(codes.MeasureCategory)[k % len(codes.MeasureCategory)]
    return _measure(household, cadre, category, started, subtype=str(category.label), amount=Decimal("2000"))


def _programmes(save, rng, as_of, households, units, village):
    township = village.parent
    (site,) = save(
        m.RelocationSite,
        [
            m.RelocationSite(
                area=township,
                name=f"{township.name}集中安置点",
                location=f"{township.name}政府旁",
                planned_households=8,
                planned_persons=30,
                construction_started_on=date(2017, 3, 1),
                construction_completed_on=date(2018, 10, 1),
            )
        ],
    )
    moved = households[-6:]
    save(
        m.Relocation,
        [
            m.Relocation(
                village_id=h.village_id,
                household=h,
                site=site,
                persons=3,
                moved_in_on=date(2019, 1, 10),
                demolished_on=date(2019, 6, 1) if k % 2 == 0 else None,
                reclaimed_on=date(2019, 9, 1) if k % 3 == 0 else None,
                employed_members=1 if k % 4 else 0,
            )
            for k, h in enumerate(moved)
        ],
    )
    (training,) = save(
        m.Training,
        [
            m.Training(
                area=township,
                course="农村实用技术培训（种养殖）",
                organiser="县人社局",
                started_on=as_of - timedelta(days=60),
                ended_on=as_of - timedelta(days=55),
                hours=40,
            )
        ],
    )
    students = Member.objects.filter(household__in=households[:20], relation="01").order_by("id")
    save(
        m.Attendance,
        [
            m.Attendance(
                village_id=s.household.village_id, training=training, member=s, certified=True, employed=k % 10 < 7
            )
            for k, s in enumerate(students.select_related("household"))
        ],
    )
    villages = list(Area.objects.filter(parent=township, level=Level.VILLAGE).order_by("code")[:2])
    save(
        m.EnterprisePairing,
        [
            m.EnterprisePairing(
                village=v,
                unit=units[2 + k],
                started_on=date(2022, 1, 1),
                projects=1 + k,
                amount=Decimal("500000") * (k + 1),
                note="产业项目：食用菌大棚",
            )
            for k, v in enumerate(villages)
        ],
    )
    save(
        m.SocialAid,
        [
            m.SocialAid(
                village_id=h.village_id,
                household=h,
                donor="县慈善总会",
                unit=units[4],
                given_on=as_of - timedelta(days=30 + k),
                content="慰问金",
                amount=Decimal("500"),
            )
            for k, h in enumerate(households[:3])
        ],
    )
