"""The sweep's county, built once per module: the areas and users of tests/conftest.py (plus a user of 西乡镇 and
staff users for the admin), households in 东一村, 东二村 and 西一村 whose personal values are distinctive enough
for a substring search, everything filed under them, a county assessment run, a township run, a village run, a
queued assessment job, an import job with an error report and an API token — one of each kind of record a route
can show.

`markers` are texts that name one area's records (household numbers, names, file and token names): a user must
never meet a marker of an area that is neither inside their own nor above it. `secrets` are the full sensitive
values by the field whose rule masks them: a role that may not reveal a field must never meet them."""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.accounts import tokens
from fupin.accounts.models import AuditEntry, User
from fupin.accounts.roles import Role
from fupin.areas.models import PREFIX_LENGTH, Area, AreaPopulation
from fupin.exchange import export_jobs
from fupin.exchange import services as exchange
from fupin.monitoring.codes import CaseKind, Channel, Decision, EvidenceKind, NoticeKind, StepCode
from fupin.monitoring.services import clues, evidence, notices, procedure
from fupin.policy.services import jobs as assessment_jobs
from fupin.policy.services.batch import assess
from fupin.registry import codes, services
from fupin.registry.models import IncomeAccount, LivingConditions, Member, VillageEvent, VillageFacilities
from tests.factories import AREAS, COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_id
from tests.sweep import (
    world_funds_assets,
    world_funds_ledger,
    world_funds_links,
    world_funds_projects,
    world_funds_standards,
    world_programmes,
    world_supervision_bulletins,
    world_supervision_checks,
    world_supervision_problems,
)

AS_OF = date(2024, 6, 1)
MISSING_VILLAGE = "149901009009"  # a well-formed village code that is not in the tree

ID_A1_HEAD = make_id("19750315", seq=611)
ID_A1_CHILD = make_id("20100601", seq=613)
CERT_A1_CHILD = ID_A1_CHILD + "32"  # 残疾证号: the ID number, disability category 3, grade 2
ID_A2_HEAD = make_id("19680420", seq=615)
ID_B1_HEAD = make_id("19820704", seq=617)
ID_B1_CHILD = make_id("20120909", seq=619)
BAD_ID = ID_A1_CHILD[:17] + ("0" if ID_A1_CHILD[17] != "0" else "1")  # a wrong check digit, in an import's report

PHONES = {
    "a1": "13566660001",
    "a1_head": "13566660011",
    "a2": "13566660002",
    "b1": "13566660003",
    "b1_head": "13566660013",
}
BANKS = {"a1": "6222020200166660001", "a2": "6222020200166660002", "b1": "6222020200166660003"}
CHRONIC_LABEL = str(codes.Health.CHRONIC.label)  # 长期慢性病: the one health status filed below

TOKEN_NAME_A1 = "东一村报表脚本"
JOB_NAME_A1 = "东一村花名册.csv"

PREFIXES = {code: code[: PREFIX_LENGTH[level]] for code, _, level, _ in AREAS}
USERS = {
    "county": (Role.COUNTY_ADMIN, COUNTY),
    "township_a": (Role.TOWNSHIP, TOWNSHIP_A),
    "township_b": (Role.TOWNSHIP, TOWNSHIP_B),
    "village_a1": (Role.VILLAGE, VILLAGE_A1),
    "village_a2": (Role.VILLAGE, VILLAGE_A2),
    "village_b1": (Role.VILLAGE, VILLAGE_B1),
    "cadre_a1": (Role.CADRE, VILLAGE_A1),
    "cadre_a1_new": (Role.CADRE, VILLAGE_A1),  # a login no cadre record holds yet (assistance:cadre-link links it)
    "inspector": (Role.INSPECTOR, COUNTY),
    "department": (Role.DEPARTMENT, COUNTY),
    # staff with every model permission, so that only their area limits what the admin shows them
    "staff_a": (Role.TOWNSHIP, TOWNSHIP_A),
    "staff_b": (Role.TOWNSHIP, TOWNSHIP_B),
    "staff_department": (Role.DEPARTMENT, COUNTY),
}
STAFF = {"staff_a", "staff_b", "staff_department"}


@dataclass
class World:
    users: dict[str, User]
    keys: dict[str, str]  # username → bearer token
    objects: dict[str, object]  # what a route is about, by name (all in 东一村 unless named otherwise)
    markers: dict[str, list[str]] = field(default_factory=dict)  # area code → texts naming its records
    secrets: dict[str, list[str]] = field(default_factory=dict)  # masking rule → full values

    def pk(self, name):
        return self.objects[name].pk

    def hidden_markers(self, user) -> list[str]:
        """Markers of the areas the user may not see: neither inside their area nor above it."""
        prefix = user.area.prefix
        return [
            text
            for code, texts in self.markers.items()
            for text in texts
            if not code.startswith(prefix) and not prefix.startswith(PREFIXES[code])
        ]

    def forbidden_values(self, user) -> dict[str, list[str]]:
        """The full values the user's role may not reveal, by masking rule."""
        return {rule: values for rule, values in self.secrets.items() if not user.may_reveal(rule)}


def _household(admin, village, number, head, head_id, *, phone, bank, members=(), **fields):
    household = services.create_household(
        admin,
        {
            "village": village,
            "number": number,
            "head_name": head,
            "phone": phone,
            "bank_account": bank,
            "address": f"{head}家",
            **fields,
        },
        via="test",
    )
    services.add_member(
        admin,
        household,
        {"name": head, "relation": "01", "id_number": head_id, **(members[0] if members else {})},
        via="test",
    )
    for extra in members[1:]:
        services.add_member(admin, household, extra, via="test")
    IncomeAccount.objects.create(
        household=household,
        year=2023,
        persons=household.members.count(),
        wage_income=Decimal("5000") * household.members.count(),
    )
    LivingConditions.objects.create(household=household, year=2023)
    return household


CLUE_TEXT_A1 = "东一村线索：户主住院"
CLUE_TEXT_B1 = "西一村线索：房屋受灾"
CONTACT_A1 = "东一村村委 欧阳东明"
MONITORING_DAY = date(2024, 7, 1)


def _measures(users, a1, b1) -> dict:
    """Assistance measures: one in place and a micro-loan in 东一村, one in 西一村 (its list must not show it)."""
    from fupin.assistance.services.measures import create_measure

    admin, day = users["county"], date(2024, 3, 1)
    measure = create_measure(
        admin, a1, category="02", subtype="务工交通补贴", started_on=day, status="in_place", amount="1200", via="test"
    )
    create_measure(
        admin, a1, category="03", kind="micro_loan", loan_amount="50000", loan_date=day, loan_term_months=36,
        loan_interest_subsidy="0", loan_balance="30000", status="in_place", via="test",
    )  # fmt: skip
    create_measure(admin, b1, category="07", subtype="家庭医生签约", started_on=day, status="in_place", via="test")
    return {"measure": measure}


def _monitoring(users, a1, b1) -> dict:
    """Monitoring's records in 东一村 and 西一村: a pending clue, a case at 入户核实 with its evidence, and (东一村)
    a case at 村内公示 on a posted notice with an objection — each kind of record a monitoring route shows."""
    county = users["county"]
    found = {}
    for key, household, village, text, user in (
        ("", a1, VILLAGE_A1, CLUE_TEXT_A1, users["village_a1"]),
        ("_b1", b1, VILLAGE_B1, CLUE_TEXT_B1, users["village_b1"]),
    ):
        clue = clues.record_clue(
            user, village_code=village, household=household, channel=Channel.CADRE_VISIT, risk_types=["01"],
            description=text, reported_on=MONITORING_DAY, via="test",
        )  # fmt: skip
        found[f"clue{key}"] = clue
        accepted = clues.record_clue(
            user, village_code=village, household=household, channel=Channel.CADRE_VISIT, risk_types=["05"],
            description=text, reported_on=MONITORING_DAY, via="test",
        )  # fmt: skip
        case = clues.accept_clue(county, accepted, on=MONITORING_DAY, category="2", via="test")
        found[f"case{key}"] = case
        found[f"evidence{key}"] = evidence.add_evidence(
            county,
            case,
            kind=EvidenceKind.SURVEY,
            upload=SimpleUploadedFile(f"排查表{key}.pdf", b"%PDF-1.4"),
            via="test",
        )
    case = procedure.open_case(
        county, a1, kind=CaseKind.IDENTIFY, risk_type="03", category="1", opened_on=MONITORING_DAY, via="test"
    )
    day = MONITORING_DAY
    evidence.add_evidence(county, case, kind=EvidenceKind.SURVEY, upload=SimpleUploadedFile("a.pdf", b"x"), via="test")
    evidence.add_evidence(county, case, kind=EvidenceKind.CONSENT, upload=SimpleUploadedFile("b.pdf", b"x"), via="test")
    for step in (StepCode.VERIFY, StepCode.CROSSCHECK, StepCode.REVIEW):
        procedure.act(county, case, step=step, decision=Decision.PASS, on=day, via="test")
        case.refresh_from_db()
    found["case_notice"] = case
    found["notice"] = notices.post_notice(
        county, village_code=VILLAGE_A1, kind=NoticeKind.VILLAGE, case_ids=[case.pk], posted_on=day,
        contact=CONTACT_A1, via="test",
    )  # fmt: skip
    found["objection"] = procedure.record_objection(
        county, case, received_on=day, raised_by="村民", content="收入情况与实际不符", via="test"
    )
    return found


def _department_upload(clerk):
    """The county's 医保 data, uploaded by the department's clerk (a desk for 医保): one row over the threshold for
    东一村's head, one for no one registered."""
    from fupin.monitoring.models import DepartmentDesk
    from fupin.monitoring.services.departments import import_department_upload

    DepartmentDesk.objects.create(user=clerk, department="medical")
    stranger = make_id("19600101", seq=621)
    content = f"证件号码,姓名,三重保障后个人负担（元）\n{ID_A1_HEAD},欧阳东,30000\n{stranger},无名,1\n"
    return import_department_upload(
        clerk,
        department="medical",
        source=io.BytesIO(content.encode()),
        filename="医保2024-05.csv",
        period="2024-05",
        reported_on=AS_OF,
        via="test",
    )


PEOPLE_PHONES = {"cadre_a1": "13566660021", "unit_a1": "13566660022", "cadre_b1": "13566660023"}
CADRE_A1, UNIT_A1, CADRE_B1 = "上官东干", "东一村合作社", "西门西干"


def _people(users) -> dict:
    """Assistance's people (h-people): 东一村's unit and cadre (a first secretary in its team, which is posted in its
    set), its set's unit, a county cadre any village may name, and 西一村's cadre and team."""
    from fupin.assistance.services import people

    county, day = users["county"], date(2021, 5, 1)
    unit = people.create_unit(
        county, area_code=VILLAGE_A1, name=UNIT_A1, kind="social", phone=PEOPLE_PHONES["unit_a1"], via="test"
    )
    cadre = people.create_cadre(
        county, area_code=VILLAGE_A1, name=CADRE_A1, unit=unit, phone=PEOPLE_PHONES["cadre_a1"], via="test"
    )
    team = people.create_team(county, village_code=VILLAGE_A1, batch=1, started_on=day, via="test")
    people.add_team_member(county, team, cadre, role="first_secretary", joined_on=day, via="test")
    set_post = people.post_to_set(county, village_code=VILLAGE_A1, part="unit", started_on=day, unit=unit, via="test")
    county_cadre = people.create_cadre(county, area_code=COUNTY, name="县派干部", team_member=True, via="test")
    b1 = people.create_cadre(county, area_code=VILLAGE_B1, name=CADRE_B1, phone=PEOPLE_PHONES["cadre_b1"], via="test")
    team_b1 = people.create_team(county, village_code=VILLAGE_B1, batch=1, started_on=day, via="test")
    people.add_team_member(county, team_b1, b1, role="leader", joined_on=day, via="test")
    return {
        "unit": unit,
        "cadre": cadre,
        "team": team,
        "set_post": set_post,
        "county_cadre": county_cadre,
    }


def _pairings(users, a1) -> dict:
    """assistance pairings: 东一村's cadre linked to the cadre_a1 login (the world's one linked cadre), paired with
    东一村's household and its 政策保障责任人 since 2024-03-01 (after the event pages' 纳入监测 date, so that event
    assigns nobody), and a second cadre of 东一村 for the pages and API to pair and assign."""
    from fupin.assistance.models import Cadre
    from fupin.assistance.services import pairings, responsibility

    linked = Cadre.objects.create(area_id=VILLAGE_A1, name="郝帮扶", user=users["cadre_a1"])
    second = Cadre.objects.create(area_id=VILLAGE_A1, name="郑帮扶")
    since = date(2024, 3, 1)
    return {
        "cadre_linked": linked,
        "cadre_second": second,
        "pairing": pairings.pair(users["county"], a1, linked, started_on=since, via="test"),
        "responsibility": responsibility.assign(
            users["county"], a1, "policy", linked, started_on=since, reason="", via="test"
        ),
    }


def _visits(users, a1, b1) -> dict:
    """A visit with a photo in 东一村 and in 西一村 (assistance): what the visit pages and the photo route show."""
    import uuid

    from PIL import Image

    from fupin.assistance.services import photos, visits

    found = {}
    for key, household, user in (("", a1, users["village_a1"]), ("_b1", b1, users["village_b1"])):
        visit, _ = visits.record_visit(
            user, household, client_id=uuid.uuid4(), visited_on=MONITORING_DAY, checks={"food": True}, via="test"
        )
        image = io.BytesIO()
        Image.new("RGB", (40, 30), (90, 120, 60)).save(image, "JPEG")
        upload = SimpleUploadedFile("photo.jpg", image.getvalue(), content_type="image/jpeg")
        found[f"visit{key}"] = visit
        found[f"visit_photo{key}"] = photos.add_photo(user, visit, upload, via="test")
    return found


def build() -> World:
    for code, name, level, parent in AREAS:
        Area.objects.create(code=code, name=name, level=level, parent_id=parent)
    every_permission = list(Permission.objects.all())
    users = {}
    for username, (role, area) in USERS.items():
        user = User.objects.create_user(
            username=username, password=None, role=role, area_id=area, is_staff=username in STAFF
        )
        if username in STAFF:
            user.user_permissions.set(every_permission)
        users[username] = user
    admin = users["county"]

    a1 = _household(
        admin,
        VILLAGE_A1,
        "DY-0001",
        "欧阳东明",
        ID_A1_HEAD,
        phone=PHONES["a1"],
        bank=BANKS["a1"],
        members=[
            {"health": codes.Health.CHRONIC, "phone": PHONES["a1_head"]},
            {
                "name": "欧阳小东",
                "relation": "03",
                "id_number": ID_A1_CHILD,
                "disability_cert": CERT_A1_CHILD,
                "disability_level": 2,
            },
        ],
    )
    a2 = _household(admin, VILLAGE_A2, "DE-0001", "令狐南风", ID_A2_HEAD, phone=PHONES["a2"], bank=BANKS["a2"])
    b1 = _household(
        admin,
        VILLAGE_B1,
        "XY-0001",
        "司马西亮",
        ID_B1_HEAD,
        phone=PHONES["b1"],
        bank=BANKS["b1"],
        members=[
            {"phone": PHONES["b1_head"]},
            {"name": "司马小西", "relation": "03", "id_number": ID_B1_CHILD},
        ],
    )
    # the same person filed in 东一村 and 东二村 (as a bulk load would let in): a duplicate only the township sees
    Member.objects.create(
        household=a2, name="令狐小东", relation="03", id_number=ID_A1_CHILD, sex="1", birth_date=date(2010, 6, 1)
    )
    Member.objects.create(
        household=b1, name="司马东来", relation="03", id_number=ID_A1_CHILD, sex="1", birth_date=date(2010, 6, 1)
    )  # …and in 西一村: outside 东乡镇, whose list must not show it
    services.record_event(admin, a1, codes.EventKind.IDENTIFIED, date(2015, 3, 1), reason="因病", via="test")
    # exited, then flagged by the monitoring run below (脱贫不稳定户): every list of flags shows 东一村
    event = services.record_event(admin, a1, codes.EventKind.EXITED, date(2019, 12, 1), reason="稳定脱贫", via="test")
    facilities = VillageFacilities.objects.create(village_id=VILLAGE_A1, year=2023, hardened_road=True)
    population = AreaPopulation.objects.create(area_id=VILLAGE_A1, year=2023, rural_population=1000, source="统计年报")
    member_event = services.record_member_event(
        admin, a1, {"id_number": ID_A1_CHILD, "kind": codes.MemberEventKind.BIRTH, "date": date(2010, 6, 1)}, via="test"
    )

    county_run = assess("monitoring", user=admin, pack_id="national-2023", as_of=AS_OF)
    elimination_run = assess("risk_elimination", user=admin, pack_id="national-2023", as_of=AS_OF)
    for code in (VILLAGE_A1, VILLAGE_A2, VILLAGE_B1):  # every village a poor one, judged by the county's run
        VillageEvent.objects.create(village_id=code, kind=codes.VillageEventKind.POOR, date=date(2014, 10, 31))
    village_exit_run = assess("village_exit", user=admin, pack_id="national-2018", as_of=date(2019, 6, 30))
    township_run = assess("monitoring", user=users["township_a"], pack_id="national-2023", as_of=AS_OF)
    village_run = assess("monitoring", user=users["township_a"], pack_id="national-2023", as_of=AS_OF, area=VILLAGE_A1)
    # an assessment of 东一村 started from the web and still queued (no worker runs it here)
    assessment_job = assessment_jobs.start_assessment(
        users["township_a"], "monitoring", pack_id="national-2023", as_of=AS_OF, area=VILLAGE_A1, enqueue=False
    )
    keys = {username: tokens.issue_token(user, "sweep", via="test") for username, user in users.items()}
    tokens.issue_token(users["village_a1"], TOKEN_NAME_A1, via="test")
    token = users["village_a1"].api_tokens.get(name=TOKEN_NAME_A1)

    roster = f"户编号,行政区划代码,姓名,证件号码,与户主关系\nDY-0001,{VILLAGE_A1},欧阳小东,{BAD_ID},子\n"
    job = exchange.start_import(
        users["village_a1"], io.BytesIO(roster.encode()), JOB_NAME_A1, via="test", enqueue=False
    )
    job = exchange.run_import(job)
    assert job.status == job.Status.INVALID and job.error_count, job.message
    export_job = export_jobs.start_export(users["village_a1"], {}, "xlsx", via="test", background=True)
    assert export_job.status == export_job.Status.DONE, export_job.message  # jobs run inside the call here
    department_upload = _department_upload(users["department"])

    monitoring = _monitoring(users, a1, b1)
    programme_objects, programme_markers = world_programmes.build(users, a1)
    funds_objects, funds_markers = {}, []
    for topic in (
        world_funds_ledger,
        world_funds_projects,
        world_funds_assets,
        world_funds_standards,
        world_funds_links,
    ):
        topic_objects, topic_markers = topic.build(users, a1)
        funds_objects.update(topic_objects)
        funds_markers.extend(topic_markers)
    for topic in (world_supervision_problems, world_supervision_checks, world_supervision_bulletins):
        topic_objects, topic_markers = topic.build(users, a1)
        funds_objects.update(topic_objects)  # one dict of the business apps' objects, one list of their markers
        funds_markers.extend(topic_markers)
    objects = {
        **monitoring,
        **_people(users),
        **_pairings(users, a1),
        **_visits(users, a1, b1),
        **_measures(users, a1, b1),
        **programme_objects,
        **funds_objects,
        "household": a1,
        "member": a1.members.get(relation="01"),
        "child": a1.members.get(relation="03"),
        "event": event,
        "income": a1.incomes.get(),
        "conditions": a1.conditions.get(),
        "facilities": facilities,
        "population": population,
        "area_decision": village_exit_run.area_decisions.get(area_id=VILLAGE_A1),
        "member_event": member_event,
        "county_run": county_run,
        "elimination_run": elimination_run,
        "run": township_run,
        "village_run": village_run,
        "assessment_job": assessment_job,
        "job": job,
        "export_job": export_job,
        "department_upload": department_upload,
        "token": token,
        "village": Area.objects.get(code=VILLAGE_A1),
        "user": users["village_a1"],
        "audit": AuditEntry.objects.filter(area_code=VILLAGE_A1).earliest("id"),
        "household_a2": a2,
        "household_b1": b1,
    }
    markers = {
        VILLAGE_A1: [
            a1.number,
            "欧阳东明",
            "欧阳小东",
            "东一村",
            TOKEN_NAME_A1,
            JOB_NAME_A1,
            CLUE_TEXT_A1,
            CADRE_A1,
            UNIT_A1,
            *programme_markers,
            *funds_markers,
        ],
        VILLAGE_A2: [a2.number, "令狐南风", "令狐小东", "东二村"],
        VILLAGE_B1: [b1.number, "司马西亮", "司马小西", "司马东来", "西一村", CLUE_TEXT_B1, CADRE_B1],
        TOWNSHIP_A: ["东乡镇"],
        TOWNSHIP_B: ["西乡镇"],
    }
    secrets = {
        "id_number": [ID_A1_HEAD, ID_A1_CHILD, CERT_A1_CHILD, ID_A2_HEAD, ID_B1_HEAD, ID_B1_CHILD, BAD_ID],
        "phone": [*PHONES.values(), *PEOPLE_PHONES.values()],
        "bank_account": list(BANKS.values()),
        "health": [CHRONIC_LABEL],
    }
    return World(users, keys, objects, markers, secrets)
