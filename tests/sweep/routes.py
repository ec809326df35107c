"""Every route of the app and how the sweep exercises it: the web pages by URL name, the API by (method, path) as
the OpenAPI document lists it. test_routes.py fails for a route that is missing here (or listed here but gone),
so a new endpoint is swept — or explicitly exempted, with the reason — the day it is added.

A `Route` says which request to make: the path (`{pk}` is the pk of the world object named by `target`, or of a
missing one), the body of a write (given the village it is about: the writer's own, another area's, or one
that does not exist), whether its answer lists records (`lists`: checked for other areas' markers) and, for a
write or an audited read, the audit entries one successful call by `writer` leaves."""

import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import CheckboxInput, MultiWidget
from PIL import Image

from fupin.registry import services
from fupin.registry.forms import ConditionsForm, HeadForm, HouseholdForm, IncomeForm, MemberForm, NewHouseholdForm
from fupin.registry.models import IncomeAccount, LivingConditions, Member
from tests.factories import COUNTY, VILLAGE_A1, make_id
from tests.sweep.world import AS_OF, MONITORING_DAY

NEW_ID = make_id("19900202", seq=901)
NEW_HEAD_ID = make_id("19850505", seq=903)
NEW_PERSON_ID = make_id("19700707", seq=905)  # a clue's applicant not yet registered


@dataclass(frozen=True)
class Route:
    path: str = ""
    method: str = "GET"
    target: str | None = None  # the world object whose pk fills {pk}
    body: Callable | None = None  # body(world, village) → the write's data
    form: bool = False  # a web form (urlencoded or multipart) rather than JSON
    lists: bool = False  # its answer lists, counts or downloads records: no other area's marker may be in it
    shows: bool = False  # …and `writer`'s answer shows 东一村's records (the control that the check can fail)
    audit: tuple = ()  # (action, model[, via]) of each entry one successful call leaves
    audit_area: str = VILLAGE_A1  # the area its entries are filed under (a county's record: the county)
    writer: str = "village_a1"  # who makes the successful call
    ok: int = 200
    refused: str | None = "department"  # a role in scope that may not make it (403/404, nothing written)
    like_missing: bool = True  # an outsider's answer equals the answer for a missing object / village
    outsider: bool = True  # False: it acts on the caller's own records only (nothing of an area to reach)
    exempt: str = ""  # why none of the checks apply
    note: str = ""

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def exempt(reason: str) -> list[Route]:
    return [Route(exempt=reason)]


def form_values(form) -> dict:
    """What a browser would post for an unbound form as it is shown (checkboxes only when ticked)."""
    data = {}
    for bound in form:
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def _household_form(world, village):
    household = world.objects["household"]
    data = form_values(HouseholdForm(instance=household, user=world.users["county"]))
    return {**data, "address": "东一村新址"}


def _member_add_form(world, village):
    data = form_values(MemberForm(instance=Member(household=world.objects["household"])))
    return {**data, "name": "新添成员", "relation": "03", "id_number": NEW_ID}


def _member_edit_form(world, village):
    return {**form_values(MemberForm(instance=world.objects["member"])), "work_place": "太原"}


def _household_add_form(world, village):
    data = form_values(NewHouseholdForm(user=world.users["village_a1"]))
    head = form_values(HeadForm())
    return {
        **data,
        **head,
        "number": "NEW-0002",
        "village": village,
        "head_name": "新建户主",
        "head-id_number": NEW_HEAD_ID,
    }


def _income_form(world, village, year=None):
    household = world.objects["household"]
    if year is None:  # adding: the first year without an account, as the page offers it
        form = IncomeForm(instance=IncomeAccount(household=household), taken=[2023])
        year = int(form_values(form)["year"])  # 家庭人口数: the members on file at that year's end
        persons = services.members_present_on(household.members.all(), date(year, 12, 31)).count()
        return {**form_values(form), "persons": str(persons), "wage_income": "12000"}
    return {**form_values(IncomeForm(instance=household.incomes.get(year=year))), "dibao_income": "1800"}


def _conditions_form(world, village, year=None):
    household = world.objects["household"]
    if year is None:
        return {**form_values(ConditionsForm(instance=LivingConditions(household=household), taken=[2023]))}
    return {**form_values(ConditionsForm(instance=household.conditions.get(year=year))), "road_type": "2"}


#: the yearly records' pages: URL name's kind, path segment, audited model, form body
YEARLY_PAGES = (
    ("income", "incomes", "incomeaccount", _income_form),
    ("conditions", "conditions", "livingconditions", _conditions_form),
)


def _yearly(kind, segment, model, body):
    """A yearly record's add page and its edit page (of 2023, the year the world files), each read and posted."""
    for action, path, audit, make in (
        ("add", f"/households/{{pk}}/{segment}/add/", "create", body),
        ("edit", f"/households/{{pk}}/{segment}/2023/edit/", "update", lambda w, v: body(w, v, year=2023)),
    ):
        post = Route(
            path, "POST", target="household", body=make, form=True, ok=302, audit=((audit, f"registry.{model}"),)
        )
        yield f"registry:{kind}-{action}", [Route(path, target="household"), post]


def _csv_upload(village, number="IMP-0001", name="新导入户"):
    content = f"户编号,行政区划代码,户主姓名\n{number},{village},{name}\n".encode()
    return SimpleUploadedFile("新户.csv", content, content_type="text/csv")


EXPORT_AUDIT = (("export", "registry.household"),)
REPORT_AUDIT = (("export", "exchange.importjob"),)
DOWNLOAD_AUDIT = (("export", "exchange.exportjob"),)
IMPORT_AUDIT = (("create", "registry.household", "import"), ("import", "exchange.importjob"))  # each record, the file
ASSESS = f"kind=monitoring&policy=national-2023&as_of={AS_OF}"
WHATIF = f"kind=monitoring&against=national-2023&parameter=monitoring_line&value=0&as_of={AS_OF}"


#: web pages and other non-API URL patterns, by URL name
def _clue_form(world, village):
    return {
        "village": village,
        "household": "DY-0001",
        "channel": "cadre_visit",
        "risk_types": ["01"],
        "description": "入户排查发现",
        "reported_on": str(MONITORING_DAY),
    }


def _notice_form(world, village):
    return {
        "village": village,
        "kind": "village",
        "cases": [str(world.pk("case_notice"))],
        "posted_on": str(MONITORING_DAY),
        "contact": "村委会",
    }


def _evidence_upload(world, village):
    return {"kind": "other", "upload": SimpleUploadedFile("补充材料.pdf", b"%PDF-1.4 sweep")}


#: 纳入监测 from the event pages: the event, the household's status, and the responsible person the village's first
#: secretary (a set post of the world's assistance people) becomes by default (assistance.services.responsibility)
MONITORED_AUDIT = (
    ("create", "assistance.responsibility", "auto"),
    ("create", "registry.statusevent"),
    ("update", "registry.household"),
)
CASE_AUDIT = (("create", "monitoring.casestep"), ("update", "monitoring.case"))


def _visit_form(world, village):
    """A visit posted as the visit page's form (a fresh phone UUID each time)."""
    return {"client_id": str(uuid.uuid4()), "visited_on": str(MONITORING_DAY), "check_food": "yes", "met": "户主"}


def _visit_json(world, village):
    household = world.pk("household") if world is not None and village == VILLAGE_A1 else 987654321
    return {"household_id": household, "client_id": str(uuid.uuid4()), "visited_on": str(MONITORING_DAY)}


def _visit_photo(world, village):
    image = io.BytesIO()
    Image.new("RGB", (30, 20), (80, 90, 100)).save(image, "JPEG")
    return {"file": SimpleUploadedFile("走访.jpg", image.getvalue(), content_type="image/jpeg")}


#: assistance's visit pages (helper E)
VISIT_WEB: dict[str, list[Route]] = {
    "assistance:visit-add": [
        Route("/assistance/households/{pk}/visit/", target="household"),
        Route(
            "/assistance/households/{pk}/visit/",
            "POST",
            target="household",
            body=_visit_form,
            form=True,
            ok=302,
            audit=(("create", "assistance.visit"),),
        ),
    ],
    "assistance:visit-list": [Route("/assistance/visits/", lists=True, shows=True)],
    "assistance:visit-detail": [Route("/assistance/visits/{pk}/", target="visit")],
    "assistance:visit-photo": [
        Route("/assistance/visit-photos/{pk}/", target="visit_photo", audit=(("export", "assistance.visitphoto"),))
    ],
    "assistance:visit-sw": exempt("static: the visit pages' service worker script (no record, no user)"),
}
VISIT_API: dict[tuple[str, str], list[Route]] = {
    ("POST", "/api/assistance/visits"): [Route(body=_visit_json, ok=201, audit=(("create", "assistance.visit"),))],
    ("POST", "/api/assistance/visits/{visit_id}/photos"): [
        Route(target="visit", body=_visit_photo, form=True, ok=201, audit=(("create", "assistance.visitphoto"),))
    ],
    ("GET", "/api/assistance/households/{household_id}/visits"): [Route(target="household")],
}

WEB: dict[str, list[Route]] = {
    "login": exempt("login: the login form, no record"),
    "logout": exempt("login: ends the session, no record"),
    "set_language": exempt("public: sets the language cookie"),
    "api:openapi-json": exempt("static: the API's description, no record"),
    "api:openapi-view": exempt("static: the API's documentation page, no record"),
    "api:api-root": exempt("static: ninja's root of /api/, no record"),
    "api:no_such_endpoint": exempt("public: every path no router matched answers 404"),
    "exchange:exchange-template": exempt("static: the empty import template with its code lists"),
    "registry:household-list": [Route("/", lists=True, shows=True)],
    "exports:household-export": [
        Route(
            f"/households/export.csv?kind={kind}", lists=True, shows=kind != "incomes", audit=EXPORT_AUDIT, refused=None
        )
        for kind in ("households", "members", "incomes")
    ],
    "exports:household-export-xlsx": [
        Route("/households/export.xlsx", lists=True, shows=True, audit=EXPORT_AUDIT, refused=None)
    ],
    "registry:household-detail": [Route("/households/{pk}/", target="household")],
    "registry:household-edit": [
        Route("/households/{pk}/edit/", target="household"),
        Route(
            "/households/{pk}/edit/",
            "POST",
            target="household",
            body=_household_form,
            form=True,
            ok=302,
            audit=(("update", "registry.household"),),
        ),
    ],
    "registry:member-add": [
        Route("/households/{pk}/members/add/", target="household"),
        Route(
            "/households/{pk}/members/add/",
            "POST",
            target="household",
            body=_member_add_form,
            form=True,
            ok=302,
            audit=(("create", "registry.member"),),
        ),
    ],
    "registry:event-add": [
        Route("/households/{pk}/events/add/", target="household"),
        Route(
            "/households/{pk}/events/add/",
            "POST",
            target="household",
            form=True,
            ok=302,
            body=lambda w, v: {"kind": "monitored", "date": "2024-01-10", "monitoring_category": "1"},
            audit=MONITORED_AUDIT,
        ),
    ],
    "registry:household-add": [
        Route("/households/add/"),
        Route(
            "/households/add/",
            "POST",
            body=_household_add_form,
            form=True,
            ok=302,
            audit=(("create", "registry.household"), ("create", "registry.member")),
            note="the village is picked from the user's own: another area's reads as one that does not exist",
        ),
    ],
    **{
        name: routes
        for kind, segment, model, body in YEARLY_PAGES
        for name, routes in _yearly(kind, segment, model, body)
    },
    "registry:member-edit": [
        Route("/members/{pk}/edit/", target="member"),
        Route(
            "/members/{pk}/edit/",
            "POST",
            target="member",
            body=_member_edit_form,
            form=True,
            ok=302,
            audit=(("update", "registry.member"),),
        ),
    ],
    "registry:reveal": [
        Route(
            f"/reveal/{kind}/{{pk}}/{name}/",
            "POST",
            target=target,
            body=lambda w, v: {},
            form=True,
            audit=(("reveal", f"registry.{kind}"),),
            writer=writer,
        )
        for kind, target, name, writer in (
            ("household", "household", "phone", "village_a1"),
            ("household", "household", "bank_account", "county"),
            ("member", "member", "id_number", "village_a1"),
            ("member", "member", "phone", "village_a1"),
            ("member", "member", "health", "village_a1"),
            ("member", "child", "id_number", "township_a"),
        )
    ],
    "registry:duplicates": [Route("/duplicates/", lists=True, shows=True, writer="township_a")],
    "registry:village-detail": [Route("/villages/{pk}/", target="village")],
    "policy:area-verdicts": [Route("/assessments/areas/?kind=village_exit", lists=True, refused=None)],
    "policy:area-verdict": [Route("/assessments/areas/{pk}/", target="area_decision", refused=None)],
    "policy:flagged": [
        Route("/assessments/flagged/?kind=monitoring", lists=True, shows=True),
        Route("/assessments/flagged/?kind=data_check", lists=True),
    ],
    "policy:whatif": [Route(f"/assessments/whatif/?{WHATIF}", lists=True)],
    "policy:whatif-households": [
        Route(f"/assessments/whatif/households/?{WHATIF}&direction=removed", lists=True, shows=True),
        Route(f"/assessments/whatif/households/?{WHATIF}&direction=added", lists=True),
    ],
    "policy:runs": [
        Route("/assessments/", lists=True),
        Route(
            "/assessments/",
            "POST",
            body=lambda w, v: {"kind": "monitoring", "pack": "national-2023", "as_of": str(AS_OF), "area": v},
            form=True,
            ok=302,
            writer="township_a",
            audit=(("create", "policy.assessmentjob"),),
            note="the job runs inside the request (the immediate backend): start → run → its page",
        ),
    ],
    "policy:job": [
        Route("/assessments/jobs/{pk}/", target="assessment_job"),
        Route("/assessments/jobs/{pk}/?format=json", target="assessment_job"),
    ],
    "policy:run": [Route("/assessments/runs/{pk}/", target="village_run")],
    "web:home": [Route("/home/", lists=True)],
    # assistance's checks and figures: every role in the area reads them (no role is refused); the world has no
    # assistance records, so the lists show only area names (no record marker to control with)
    "assistance:checks": [Route("/assistance/checks/", lists=True, refused=None)],
    "assistance:check": [
        Route("/assistance/checks/village_set_incomplete/", lists=True, refused=None),
        Route("/assistance/checks/no_measure/?on=2024-06-01", lists=True, refused=None),
        Route("/assistance/checks/cadre_overloaded/", lists=True, refused=None),
    ],
    "assistance:check-export": [
        Route(
            "/assistance/checks/village_set_incomplete/export.xlsx",
            lists=True,
            audit=(("export", "assistance.check"),),
            refused=None,
            outsider=False,
        )
    ],
    "assistance:figures": [Route("/assistance/figures/", lists=True, refused=None)],
    "monitoring:inbox": [
        Route("/monitoring/?box=open", lists=True, shows=True),
        Route("/monitoring/?box=clues", lists=True, shows=True),
        Route("/monitoring/?box=overdue", lists=True, shows=True, writer="county"),
        Route("/monitoring/?box=notice&step=notice&overdue=1", lists=True, shows=True),
    ],
    "monitoring:inbox-export": [
        Route(
            f"/monitoring/export.{fmt}?box=open",
            lists=True,
            shows=True,
            audit=(("export", "monitoring.case"),),
            refused=None,
            outsider=False,
        )
        for fmt in ("csv", "xlsx")
    ],
    "monitoring:overdue": [Route("/monitoring/overdue/", lists=True)],
    "monitoring:clue-add": [
        Route("/monitoring/clues/add/"),
        Route(
            "/monitoring/clues/add/",
            "POST",
            body=_clue_form,
            form=True,
            ok=302,
            audit=(("create", "monitoring.clue"),),
            refused="inspector",
            note="the village is picked from the user's own: another area's reads as one that does not exist",
        ),
    ],
    "monitoring:clue-detail": [Route("/monitoring/clues/{pk}/", target="clue")],
    "monitoring:clue-accept": [
        Route(
            "/monitoring/clues/{pk}/accept/",
            "POST",
            target="clue",
            body=lambda w, v: {"category": "2"},
            form=True,
            ok=302,
            writer="township_a",
            refused="village_a1",
            audit=(("update", "monitoring.clue"), ("create", "monitoring.case")),
        )
    ],
    "monitoring:clue-reject": [
        Route(
            "/monitoring/clues/{pk}/reject/",
            "POST",
            target="clue",
            body=lambda w, v: {"reason": "经核实不属实"},
            form=True,
            ok=302,
            writer="township_a",
            refused="village_a1",
            audit=(("update", "monitoring.clue"),),
        )
    ],
    "monitoring:case-detail": [
        Route("/monitoring/cases/{pk}/", target="case"),
        Route("/monitoring/cases/{pk}/", target="case_notice"),
    ],
    "monitoring:case-act": [
        Route(
            "/monitoring/cases/{pk}/act/",
            "POST",
            target="case",
            body=lambda w, v: {"step": "verify", "decision": "reject", "comment": "核实不属实"},
            form=True,
            ok=302,
            audit=CASE_AUDIT,
            refused=None,
            note="the call closes the case, so a second caller meets a closed case (409) whatever the role: a "
            "role at a step not its own is refused in tests/monitoring/test_views.py",
        )
    ],
    "monitoring:case-category": [
        Route(
            "/monitoring/cases/{pk}/category/",
            "POST",
            target="case",
            body=lambda w, v: {"category": "1"},
            form=True,
            ok=302,
            audit=(("update", "monitoring.case"),),
        )
    ],
    "monitoring:evidence-add": [
        Route(
            "/monitoring/cases/{pk}/evidence/",
            "POST",
            target="case",
            body=_evidence_upload,
            form=True,
            ok=302,
            audit=(("create", "monitoring.evidence"),),
        )
    ],
    "monitoring:evidence-download": [
        Route("/monitoring/evidence/{pk}/", target="evidence", audit=(("export", "monitoring.evidence"),))
    ],
    "monitoring:objection-add": [
        Route(
            "/monitoring/cases/{pk}/objections/",
            "POST",
            target="case_notice",
            body=lambda w, v: {"received_on": str(MONITORING_DAY), "raised_by": "村民", "content": "有异议"},
            form=True,
            ok=302,
            audit=(("create", "monitoring.objection"),),
        )
    ],
    "monitoring:objection-answer": [
        Route(
            "/monitoring/objections/{pk}/answer/",
            "POST",
            target="objection",
            body=lambda w, v: {"answer": "经核实，收入情况属实"},
            form=True,
            ok=302,
            audit=(("update", "monitoring.objection"),),
        )
    ],
    "monitoring:notices": [Route("/monitoring/notices/", lists=True, shows=True)],
    "monitoring:notice-add": [
        Route(f"/monitoring/notices/add/?village={VILLAGE_A1}&kind=village", lists=True, shows=True),
        Route(
            "/monitoring/notices/add/",
            "POST",
            body=_notice_form,
            form=True,
            ok=302,
            audit=(("create", "monitoring.notice"),),
        ),
    ],
    "monitoring:notice-detail": [Route("/monitoring/notices/{pk}/", target="notice")],
    "monitoring:notice-pdf": [
        Route(
            "/monitoring/notices/{pk}/pdf/",
            target="notice",
            audit=(("export", "monitoring.notice"),),
            refused=None,
            note="a notice is posted on the village board: any role of the area may print it",
        )
    ],
    "monitoring:start-from-run": [
        Route(
            "/monitoring/from-run/",
            "POST",
            body=lambda w, v: {"run": w.pk("county_run"), "one": w.pk("household")},
            form=True,
            ok=302,
            writer="township_a",
            refused="inspector",
            audit=(
                ("create", "monitoring.clue"),
                ("update", "monitoring.clue"),
                ("create", "monitoring.case"),
            ),
            like_missing=False,
            note="the households are the run's flagged ones: another area's is not found, as a missing one",
        )
    ],
    "monitoring:eliminate-from-run": [
        Route(
            "/monitoring/eliminate-from-run/",
            "POST",
            body=lambda w, v: {"run": w.pk("elimination_run"), "one": w.pk("household")},
            form=True,
            ok=302,
            writer="township_a",
            refused="inspector",
            like_missing=False,
            note="the world's households are not monitored: the refusal comes back as a message on the list (302), "
            "nothing written; the success path is tests/monitoring/test_elimination_views.py",
        )
    ],
    "monitoring:case-reverse": [
        Route(
            "/monitoring/cases/{pk}/reverse/",
            "POST",
            target="case",
            body=lambda w, v: {"reason": "复核发现收入不稳定"},
            form=True,
            ok=400,
            writer="township_a",
            refused=None,
            note="the world's case is an open identification: refused on its page (400), nothing written; the "
            "success path is tests/monitoring/test_elimination_views.py",
        )
    ],
    "exchange:import": [
        Route("/exchange/import/", lists=True, shows=True),
        Route(
            "/exchange/import/",
            "POST",
            body=lambda w, v: {"file": _csv_upload(v)},
            form=True,
            ok=302,
            audit=IMPORT_AUDIT,
            like_missing=False,
            note="an outsider's upload is a job of their own that refuses the other area's rows",
        ),
    ],
    "exchange:import-job": [
        Route("/exchange/import/{pk}/", target="job"),
        Route("/exchange/import/{pk}/?format=json", target="job"),
    ],
    "exchange:import-report": [
        Route("/exchange/import/{pk}/report/", target="job", audit=REPORT_AUDIT, refused="cadre_a1")
    ],
    # a background export (village_a1's, of 东一村): only the user who started it sees it, even in their own village
    "exchange:export-job": [
        Route("/exchange/export/{pk}/", target="export_job"),
        Route("/exchange/export/{pk}/?format=json", target="export_job"),
    ],
    "exchange:export-download": [
        Route("/exchange/export/{pk}/download/", target="export_job", audit=DOWNLOAD_AUDIT, refused="cadre_a1")
    ],
}


def _medical_upload(village, name="医保补报.csv"):
    """A 医保 file naming a person no one registered: an upload of the department's own, whatever the village."""
    content = f"证件号码,姓名,三重保障后个人负担（元）\n{make_id('19610101', seq=623)},无名,1\n".encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


DEPARTMENT_AUDIT = (("import", "monitoring.departmentupload"),)
DEPARTMENT_REPORT_AUDIT = (("export", "monitoring.departmentupload"),)
#: department data (h-dept): uploads belong to the county; the department's clerk (a 医保 desk) uploads and reads
DEPARTMENT_WEB: dict[str, list[Route]] = {
    "monitoring:department-template": exempt("static: a department's empty template with its code lists"),
    "monitoring:department-list": [Route("/monitoring/departments/", lists=True, writer="department", refused=None)],
    "monitoring:department-upload": [
        Route("/monitoring/departments/upload/", writer="department", refused=None),
        Route(
            "/monitoring/departments/upload/",
            "POST",
            body=lambda w, v: {"department": "medical", "period": "2024-06", "file": _medical_upload(v)},
            form=True,
            ok=302,
            writer="department",
            refused="cadre_a1",
            audit=DEPARTMENT_AUDIT,
            audit_area=COUNTY,
            outsider=False,
            note="the upload is the county's, whatever village a caller names: a village's clerk may not make one",
        ),
    ],
    "monitoring:department-upload-detail": [
        Route("/monitoring/departments/{pk}/", target="department_upload", writer="department", refused="cadre_a1")
    ],
    "monitoring:department-report": [
        Route(
            "/monitoring/departments/{pk}/report/",
            target="department_upload",
            writer="department",
            refused="cadre_a1",
            audit=DEPARTMENT_REPORT_AUDIT,
            audit_area=COUNTY,
        )
    ],
}
WEB.update(DEPARTMENT_WEB)
WEB.update(VISIT_WEB)


def _people_upload(village, name="新导入单位"):
    """The people workbook as CSV: one unit filed under `village`."""
    content = f"单位名称,单位类型,所属区划代码\n{name},企业,{village}\n".encode()
    return SimpleUploadedFile("帮扶单位.csv", content, content_type="text/csv")


#: the team a new one follows: its arrival ends the open 驻村工作队 post of the village's set the day before
NEW_TEAM_AUDIT = (("create", "assistance.workteam"), ("update", "assistance.setpost"), ("create", "assistance.setpost"))
#: assistance's people (h-people): units, cadres, teams, the village's set, the people workbook
PEOPLE_WEB: dict[str, list[Route]] = {
    "assistance:index": [Route("/assistance/")],
    "assistance:unit-list": [Route("/assistance/units/", lists=True, shows=True)],
    "assistance:unit-add": [
        Route("/assistance/units/add/"),
        Route(
            "/assistance/units/add/",
            "POST",
            body=lambda w, v: {"area_code": v, "name": "新帮扶单位", "kind": "enterprise"},
            form=True,
            ok=302,
            audit=(("create", "assistance.unit"),),
        ),
    ],
    "assistance:cadre-list": [
        Route("/assistance/cadres/", lists=True, shows=True),
        Route("/assistance/cadres/?first_secretary=1&level=staff", lists=True, shows=True),
    ],
    "assistance:cadre-add": [
        Route("/assistance/cadres/add/"),
        Route(
            "/assistance/cadres/add/",
            "POST",
            body=lambda w, v: {"area_code": v, "name": "新帮扶干部", "level": "staff", "phone": "13800000000"},
            form=True,
            ok=302,
            audit=(("create", "assistance.cadre"),),
        ),
    ],
    "assistance:cadre-detail": [Route("/assistance/cadres/{pk}/", target="cadre")],
    "assistance:cadre-link": [
        Route(
            "/assistance/cadres/{pk}/link/",
            "POST",
            target="cadre",
            body=lambda w, v: {"login": "cadre_a1_new"},
            form=True,
            ok=302,
            audit=(("update", "assistance.cadre"),),
        )
    ],
    "assistance:cadre-reveal": [
        Route(
            "/assistance/cadres/{pk}/reveal/",
            "POST",
            target="cadre",
            body=lambda w, v: {},
            form=True,
            audit=(("reveal", "assistance.cadre"),),
        )
    ],
    "assistance:team-list": [
        Route("/assistance/teams/", lists=True, shows=True),
        Route(f"/assistance/teams/?village={VILLAGE_A1}", lists=True, shows=True),
    ],
    "assistance:team-add": [
        Route("/assistance/teams/add/"),
        Route(
            "/assistance/teams/add/",
            "POST",
            body=lambda w, v: {"village_code": v, "batch": "5", "started_on": "2024-03-01"},
            form=True,
            ok=302,
            audit=NEW_TEAM_AUDIT,
        ),
    ],
    "assistance:team-member-add": [
        Route("/assistance/teams/{pk}/members/add/", target="team"),
        Route(
            "/assistance/teams/{pk}/members/add/",
            "POST",
            target="team",
            body=lambda w, v: {"cadre": w.pk("county_cadre"), "role": "member", "joined_on": "2024-03-02"},
            form=True,
            ok=302,
            audit=(("create", "assistance.teammember"),),
        ),
    ],
    "assistance:set-index": [Route("/assistance/sets/", lists=True, writer="township_a")],
    "assistance:village-set": [
        Route("/assistance/sets/{pk}/", target="village"),
        Route("/assistance/sets/{pk}/?on=2021-04-30", target="village"),
    ],
    "assistance:set-post-add": [
        Route("/assistance/sets/{pk}/add/?part=agronomist", target="village"),
        Route(
            "/assistance/sets/{pk}/add/",
            "POST",
            target="village",
            body=lambda w, v: {"part": "agronomist", "cadre": w.pk("county_cadre"), "started_on": "2024-03-01"},
            form=True,
            ok=302,
            audit=(("create", "assistance.setpost"),),
        ),
    ],
    "assistance:people-import": [
        Route("/assistance/people/import/"),
        Route(
            "/assistance/people/import/",
            "POST",
            body=lambda w, v: {"file": _people_upload(v)},
            form=True,
            audit=(("create", "assistance.unit", "import"), ("import", "assistance.import")),
            note="an outsider's file is refused row by row: its unit's area is not theirs, written nothing",
        ),
    ],
    "assistance:people-template": exempt("static: the people workbook's empty template with its code lists"),
}
WEB.update(PEOPLE_WEB)


def _cadre_second(world):
    return world.pk("cadre_second") if world is not None else 0  # None: the API probes' bodies


#: assistance pairings (h-pairings): the cadre's own households, pairing, ending, assigning
PAIRINGS_WEB: dict[str, list[Route]] = {
    "assistance:my-households": [Route("/assistance/mine/", lists=True, shows=True, writer="cadre_a1")],
    "assistance:pairing-add": [
        Route("/assistance/households/{pk}/pairings/add/", target="household"),
        Route(
            "/assistance/households/{pk}/pairings/add/",
            "POST",
            target="household",
            body=lambda w, v: {"cadre": _cadre_second(w), "started_on": "2024-06-01"},
            form=True,
            ok=302,
            audit=(("create", "assistance.pairing"),),
        ),
    ],
    "assistance:pairing-end": [
        Route("/assistance/pairings/{pk}/end/", target="pairing"),
        Route(
            "/assistance/pairings/{pk}/end/",
            "POST",
            target="pairing",
            body=lambda w, v: {"on": "2024-06-01", "reason": "工作调动"},
            form=True,
            ok=302,
            audit=(("update", "assistance.pairing"),),
        ),
    ],
    "assistance:responsible-assign": [
        Route("/assistance/households/{pk}/responsible/", target="household"),
        Route(
            "/assistance/households/{pk}/responsible/",
            "POST",
            target="household",
            body=lambda w, v: {"role": "household", "cadre": _cadre_second(w), "started_on": "2024-06-01"},
            form=True,
            ok=302,
            audit=(("create", "assistance.responsibility"),),
        ),
    ],
}
WEB.update(PAIRINGS_WEB)

#: the API's operations, by (method, path) as in the OpenAPI document
API: dict[tuple[str, str], list[Route]] = {
    ("GET", "/api/me"): [Route(lists=True)],
    ("GET", "/api/tokens"): [Route(lists=True, shows=True)],
    ("POST", "/api/tokens"): [
        Route(
            body=lambda w, v: {"name": "新脚本"},
            ok=201,
            audit=(("create", "accounts.apitoken"),),
            refused=None,
            outsider=False,
            note="the caller's own token, only from a browser session (sent with one)",
        )
    ],
    ("DELETE", "/api/tokens/{token_id}"): [Route(target="token", ok=204, audit=(("update", "accounts.apitoken"),))],
    ("GET", "/api/households"): [Route(lists=True, shows=True), Route("?q=欧阳", lists=True, shows=True)],
    ("POST", "/api/households"): [
        Route(
            body=lambda w, v: {"village": v, "number": "NEW-0001", "head_name": "新建户主"},
            ok=201,
            audit=(("create", "registry.household"),),
        ),
    ],
    ("GET", "/api/households/export"): [
        Route("?format=xlsx", lists=True, shows=True, audit=EXPORT_AUDIT, refused=None),
        *(
            Route(f"?format=csv&kind={kind}", lists=True, shows=kind != "incomes", audit=EXPORT_AUDIT, refused=None)
            for kind in ("households", "members", "incomes")
        ),
    ],
    ("GET", "/api/households/{household_id}"): [Route(target="household")],
    ("PATCH", "/api/households/{household_id}"): [
        Route(
            target="household", body=lambda w, v: {"address": "东一村新址"}, audit=(("update", "registry.household"),)
        ),
    ],
    ("GET", "/api/households/{household_id}/members"): [Route(target="household")],
    ("POST", "/api/households/{household_id}/members"): [
        Route(
            target="household",
            body=lambda w, v: {"name": "新添成员", "relation": "03", "id_number": NEW_ID},
            ok=201,
            audit=(("create", "registry.member"),),
        ),
    ],
    ("GET", "/api/members/{member_id}"): [Route(target="member"), Route(target="child")],
    ("PATCH", "/api/members/{member_id}"): [
        Route(target="member", body=lambda w, v: {"work_place": "太原"}, audit=(("update", "registry.member"),)),
    ],
    ("POST", "/api/households/{household_id}/events"): [
        Route(
            target="household",
            body=lambda w, v: {"kind": "monitored", "date": "2024-01-10", "monitoring_category": "1"},
            ok=201,
            audit=MONITORED_AUDIT,
        ),
    ],
    ("POST", "/api/households/{household_id}/reveal"): [
        Route(
            target="household",
            body=lambda w, v, f=name: {"field": f},
            audit=(("reveal", "registry.household"),),
            writer=writer,
        )
        for name, writer in (("phone", "village_a1"), ("bank_account", "county"))
    ],
    ("POST", "/api/members/{member_id}/reveal"): [
        Route(target="member", body=lambda w, v, f=name: {"field": f}, audit=(("reveal", "registry.member"),))
        for name in ("id_number", "phone", "health")
    ],
    ("GET", "/api/duplicates"): [Route(lists=True)],
    ("GET", "/api/figures"): [Route(f"?area={VILLAGE_A1}&as_of={AS_OF}", refused=None)],
    ("GET", "/api/assessments/areas"): [Route("?kind=village_exit", lists=True, refused=None)],
    ("GET", "/api/households/{household_id}/assessment"): [Route(f"?{ASSESS}", target="household")],
    ("POST", "/api/households/{household_id}/assessment"): [
        Route(
            f"?{ASSESS}",
            target="household",
            body=lambda w, v: None,
            refused=None,
            note="stores a one-household run (derived data with its user on the run): no audit entry",
        ),
    ],
    ("GET", "/api/assessments/runs"): [Route(lists=True), Route("?single=true", lists=True)],
    ("GET", "/api/assessments/flagged"): [Route("?kind=monitoring", lists=True, shows=True)],
    ("POST", "/api/imports"): [
        Route(
            body=lambda w, v: {"file": _csv_upload(v)},
            form=True,
            ok=202,
            audit=IMPORT_AUDIT,
            like_missing=False,
            note="an outsider's upload is a job of their own that refuses the other area's rows",
        ),
    ],
    ("GET", "/api/imports/{job_id}"): [Route(target="job")],
    ("GET", "/api/monitoring/clues"): [Route(lists=True, shows=True)],
    ("GET", "/api/assistance/checks"): [Route(lists=True, refused=None)],
    ("GET", "/api/assistance/figures"): [Route(lists=True, refused=None)],
    ("POST", "/api/monitoring/clues"): [
        Route(
            body=lambda w, v: {
                "village": v,
                "person_name": "新申报人",
                "id_number": NEW_PERSON_ID,
                "channel": "self_report",
                "via_channel": "hotline",
                "risk_types": ["01"],
                "reported_on": str(MONITORING_DAY),
            },
            ok=201,
            audit=(("create", "monitoring.clue"),),
            refused="inspector",
        )
    ],
    ("GET", "/api/monitoring/clues/{clue_id}"): [Route(target="clue")],
    ("POST", "/api/monitoring/clues/{clue_id}/accept"): [
        Route(
            target="clue",
            body=lambda w, v: {"on": str(MONITORING_DAY), "category": "2"},
            ok=201,
            writer="township_a",
            refused="village_a1",
            audit=(("update", "monitoring.clue"), ("create", "monitoring.case")),
        )
    ],
    ("POST", "/api/monitoring/clues/{clue_id}/reject"): [
        Route(
            target="clue",
            body=lambda w, v: {"on": str(MONITORING_DAY), "reason": "经核实不属实"},
            writer="township_a",
            refused="village_a1",
            audit=(("update", "monitoring.clue"),),
        )
    ],
    ("GET", "/api/monitoring/cases"): [Route("?box=open", lists=True, shows=True), Route("?overdue=1", lists=True)],
    ("GET", "/api/monitoring/cases/{case_id}"): [Route(target="case"), Route(target="case_notice")],
    ("POST", "/api/monitoring/cases/{case_id}/act"): [
        Route(
            target="case",
            body=lambda w, v: {"step": "verify", "decision": "reject", "on": str(MONITORING_DAY), "comment": "不属实"},
            audit=CASE_AUDIT,
            refused=None,
            note="the call closes the case (see the page's route)",
        )
    ],
    ("POST", "/api/monitoring/eliminations"): [
        Route(
            body=lambda w, v: {"households": [w.pk("household") if w is not None else 0], "on": str(MONITORING_DAY)},
            ok=400,
            writer="township_a",
            refused="inspector",
            like_missing=False,
            note="the world's households are not monitored: refused (400), nothing written; the success path is "
            "tests/monitoring/test_elimination_views.py",
        )
    ],
    ("POST", "/api/monitoring/cases/{case_id}/reverse"): [
        Route(
            target="case",
            body=lambda w, v: {"on": str(MONITORING_DAY), "reason": "复核发现收入不稳定"},
            ok=400,
            writer="township_a",
            refused=None,
            note="the world's case is an open identification: refused (400), nothing written; the success path is "
            "tests/monitoring/test_elimination_views.py",
        )
    ],
    ("POST", "/api/monitoring/notices"): [
        Route(
            body=lambda w, v: {
                "village": v,
                "kind": "village",
                "case_ids": [w.pk("case_notice") if w is not None else 0],  # None: the API probes' bodies
                "posted_on": str(MONITORING_DAY),
                "contact": "村委会",
            },
            ok=201,
            audit=(("create", "monitoring.notice"),),
        )
    ],
    ("GET", "/api/imports/{job_id}/report"): [Route(target="job", audit=REPORT_AUDIT, refused="cadre_a1")],
}
API.update(
    {
        ("POST", "/api/department-uploads"): [
            Route(
                body=lambda w, v: {"department": "medical", "period": "2024-06", "file": _medical_upload(v)},
                form=True,
                ok=201,
                writer="department",
                refused="cadre_a1",
                audit=DEPARTMENT_AUDIT,
                audit_area=COUNTY,
                outsider=False,
                note="the upload is the county's, whatever village a caller names",
            )
        ],
        ("GET", "/api/department-uploads/{upload_id}"): [
            Route(target="department_upload", writer="department", refused="cadre_a1")
        ],
    }
)
API.update(
    {  # assistance's people (h-people)
        ("GET", "/api/assistance/units"): [Route(lists=True, shows=True)],
        ("POST", "/api/assistance/units"): [
            Route(
                body=lambda w, v: {"area": v, "name": "接口单位", "kind": "other"},
                ok=201,
                audit=(("create", "assistance.unit"),),
            )
        ],
        ("GET", "/api/assistance/cadres"): [
            Route(lists=True, shows=True),
            Route("?first_secretary=1", lists=True, shows=True),
        ],
        ("POST", "/api/assistance/cadres"): [
            Route(
                body=lambda w, v: {"area": v, "name": "接口干部", "phone": "13800000001"},
                ok=201,
                audit=(("create", "assistance.cadre"),),
            )
        ],
        ("GET", "/api/assistance/cadres/{cadre_id}"): [Route(target="cadre")],
        ("PATCH", "/api/assistance/cadres/{cadre_id}"): [
            Route(target="cadre", body=lambda w, v: {"post": "接口职务"}, audit=(("update", "assistance.cadre"),))
        ],
        ("GET", "/api/assistance/teams"): [Route(lists=True, shows=True)],
        ("POST", "/api/assistance/teams"): [
            Route(
                body=lambda w, v: {"village": v, "batch": 6, "started_on": "2024-03-01"}, ok=201, audit=NEW_TEAM_AUDIT
            )
        ],
        ("POST", "/api/assistance/teams/{team_id}/members"): [
            Route(
                target="team",
                # (without a world, as the API's error probes call it: a cadre no record is)
                body=lambda w, v: {
                    "cadre": w.pk("county_cadre") if w else 987654321,
                    "role": "member",
                    "joined_on": "2024-03-02",
                },  # fmt: skip
                ok=201,
                audit=(("create", "assistance.teammember"),),
            )
        ],
        ("GET", "/api/assistance/villages/{village_code}/set"): [
            Route(target="village"),
            Route("?on=2021-04-30", target="village"),
        ],
    }
)


API.update(
    {
        ("GET", "/api/households/{household_id}/assistance"): [Route(target="household")],
        ("POST", "/api/households/{household_id}/pairings"): [
            Route(
                target="household",
                body=lambda w, v: {"cadre": _cadre_second(w), "started_on": "2024-06-01"},
                ok=201,
                audit=(("create", "assistance.pairing"),),
            )
        ],
        ("POST", "/api/pairings/{pairing_id}/end"): [
            Route(
                target="pairing",
                body=lambda w, v: {"on": "2024-06-01", "reason": "工作调动"},
                audit=(("update", "assistance.pairing"),),
            )
        ],
        ("POST", "/api/households/{household_id}/responsible"): [
            Route(
                target="household",
                body=lambda w, v: {"role": "household", "cadre": _cadre_second(w), "started_on": "2024-06-01"},
                ok=201,
                audit=(("create", "assistance.responsibility"),),
            )
        ],
    }
)  # assistance pairings (h-pairings)

API.update(VISIT_API)


@dataclass(frozen=True)
class Case:
    """One request of the table, with a readable id for the test report."""

    key: str
    family: str  # "web" or "api"
    route: Route
    number: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.key}#{self.number}" if self.number else self.key

    @property
    def via(self) -> str:
        return "ui" if self.family == "web" else "api"

    def path(self, pk=None) -> str:
        route = self.route
        if self.family == "web":
            return route.path.replace("{pk}", str(pk))
        method, template = self.key.split(" ", 1)
        return re.sub(r"\{\w+\}", str(pk), template) + route.path  # every path parameter names the target


def cases() -> list[Case]:
    found = []
    for key, routes in WEB.items():
        found += [Case(key, "web", r, n) for n, r in enumerate(routes) if not r.exempt]
    for (method, path), routes in API.items():
        found += [Case(f"{method} {path}", "api", replace(r, method=method), n) for n, r in enumerate(routes)]
    return found


# ── the admin ──────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AdminModel:
    """How the sweep uses one model admin. `target`: the world object of 东一村 its object pages are swept with
    (None: a model without an area, which only a superuser may see); `change`: the edit an allowed staff user
    makes; `add`: the fields of a new record filed under `fk` (the pk or code of 东一村's object named by
    `add_under`, or of a missing one), so another area's staff can try to file theirs there; `delete`: whether
    the allowed user's delete is swept for its audit entry (records nothing hangs from)."""

    target: str | None = None
    change: dict = field(default_factory=dict)
    add: Callable | None = None
    add_under: str | None = None
    delete: bool = False
    reason: str = ""


def _new_user(fk):
    return {
        "username": "adm_new",
        "password1": "pw-12345678x",
        "password2": "pw-12345678x",
        "usable_password": "true",
        "role": "village",
        "area": fk,
    }


#: every model registered with the admin, by label
ADMIN_MODELS: dict[str, AdminModel] = {
    "auth.group": AdminModel(reason="no area: a model without `restrict`, for a superuser only"),
    "monitoring.departmentdesk": AdminModel(reason="no area: which department a clerk works for, for a superuser only"),
    "django_tasks_database.dbtaskresult": AdminModel(reason="no area: background task results, for a superuser only"),
    "accounts.user": AdminModel("user", change={"first_name": "改名"}, add=_new_user, add_under="village"),
    "accounts.auditentry": AdminModel("audit", reason="read-only"),
    "accounts.lockout": AdminModel(
        reason="login lockouts: a username and an address, no area of their own; seen and "
        "lifted by superusers and county administrators (tests/accounts/test_lockout.py)"
    ),
    "areas.area": AdminModel(
        "village",
        change={"name": "东一村（改）"},
        add_under="village",
        add=lambda fk: {"code": "149901001003", "name": "东三村", "level": "5", "parent": fk},
    ),
    "areas.areapopulation": AdminModel(
        "population",
        change={"rural_population": "900"},
        delete=True,
        add_under="village",
        add=lambda fk: {"area": fk, "year": "2022", "rural_population": "800"},
    ),
    "registry.household": AdminModel(
        "household",
        change={"address": "后台新址"},
        add_under="village",
        add=lambda fk: {"number": "ADM-0001", "village": fk, "head_name": "后台户主"},
    ),
    "registry.member": AdminModel(
        "member",
        change={"work_place": "大同"},
        add_under="household",
        add=lambda fk: {"household": fk, "name": "后台成员", "relation": "03", "sex": "1", "birth_date": "2001-01-01"},
    ),
    "registry.incomeaccount": AdminModel(
        "income",
        change={"wage_income": "7000.00"},
        delete=True,
        add_under="household",
        add=lambda fk: {"household": fk, "year": "2022", "persons": "2"},
    ),
    "registry.livingconditions": AdminModel(
        "conditions",
        change={"farmland_mu": "3.50"},
        delete=True,
        add_under="household",
        add=lambda fk: {"household": fk, "year": "2022"},
    ),
    "registry.statusevent": AdminModel("event", change={"reason": "后台改的原因"}),
    "registry.memberevent": AdminModel("member_event", reason="read-only"),
    "registry.villagefacilities": AdminModel(
        "facilities",
        change={"broadband": "on"},
        delete=True,
        add_under="village",
        add=lambda fk: {"village": fk, "year": "2022"},
    ),
    "policy.assessmentrun": AdminModel("run", reason="read-only"),
    "assistance.pairing": AdminModel("pairing", reason="read-only"),
    "assistance.responsibility": AdminModel("responsibility", reason="read-only"),
    "assistance.responsiblerole": AdminModel(
        reason="a county's responsible-person roles: seen and set by its administrators and superusers only "
        "(tests/assistance/test_pairings_admin.py)"
    ),
    **{
        f"assistance.{name}": AdminModel(target, reason="read-only")  # written through the programme services
        for name, target in (
            ("relocationsite", "site"),
            ("relocation", "relocation"),
            ("training", "training"),
            ("attendance", "attendance"),
            ("enterprisepairing", "enterprise_pairing"),
            ("socialaid", "social_aid"),
        )
    },
    "policy.uploadedpack": AdminModel(
        reason="no area: a county's uploaded policy packs, uploaded and switched by superusers only "
        "(tests/policy/test_county_packs.py)"
    ),
}

ADMIN_MODELS.update(
    {  # assistance's people (h-people)
        "assistance.unit": AdminModel(
            "unit",
            change={"contact": "后台联系人"},
            add_under="village",
            add=lambda fk: {"area": fk, "name": "后台单位", "kind": "other"},
        ),
        "assistance.cadre": AdminModel(
            "cadre",
            change={"post": "后台职务"},
            add_under="village",
            add=lambda fk: {"area": fk, "name": "后台干部", "level": "staff"},
        ),
        "assistance.workteam": AdminModel(
            "team",
            change={"ended_on": "2024-05-31"},
            add_under="village",
            add=lambda fk: {"village": fk, "batch": "9", "started_on": "2024-01-01"},
        ),
        "assistance.setpost": AdminModel(
            "set_post",
            change={"ended_on": "2024-05-31"},
            delete=True,
            add_under="village",
            add=lambda fk: {"village": fk, "part": "agronomist", "started_on": "2024-01-01"},
        ),
    }
)

#: the admin site's own URL patterns (by name; the catch-all by its pattern)
ADMIN_SITE: dict[str, str] = {
    "admin:login": "login: the admin's login form",
    "admin:logout": "login: ends the session",
    "admin:password_change": "login: the staff user's own password",
    "admin:password_change_done": "login: the staff user's own password",
    "admin:jsi18n": "static: the admin's JavaScript catalogue",
    "admin/(?P<url>.*)$": "public: an unknown admin path",
    "admin:index": "swept: the index lists nothing of another area",
    "admin:app_list": "swept: each app's index lists nothing of another area",
    "admin:autocomplete": "swept: the search behind autocomplete fields finds nothing of another area",
    "admin:view_on_site": "swept: like a missing object for another area's record",
    "admin:auth_user_password_change": "swept: another area's user is like a missing one, and keeps their password",
}


# ── assistance: measures ────────────────────────────────────────────────────────────────────────────────────────

MEASURE_CREATE = (("create", "assistance.measure"),)
MEASURE_UPDATE = (("update", "assistance.measure"),)
MEASURE_FORM = {"category": "01", "status": "in_place", "started_on": "2024-03-01", "subtype": "养殖"}


def _measure_edit_form(world, village):
    from fupin.assistance.views.measure_forms import MeasureForm

    measure = world.objects["measure"]
    return {**form_values(MeasureForm(measure.household, measure.kind, instance=measure)), "subtype": "务工补贴"}


def _measure_api_body(world, village):
    """A measure of 东一村's household, or of one that does not exist (another area's village reads as missing)."""
    known = world is not None and village == VILLAGE_A1
    return {"household_id": world.pk("household") if known else 987654321, "category": "01",
            "started_on": "2024-03-01", "status": "in_place"}  # fmt: skip


def _measure_upload(world, village):
    """A measure list of 东一村's household, or of a household number that does not exist."""
    number = "DY-0001" if village == VILLAGE_A1 else "NO-SUCH-01"
    content = f"户编号,措施类别,开始日期,落实状态\n{number},01,2024-03-01,已落实\n".encode()
    return {"file": SimpleUploadedFile("帮扶措施.csv", content, content_type="text/csv")}


WEB.update(
    {
        "assistance:measure-household": [Route("/assistance/households/{pk}/measures/", target="household")],
        "assistance:measure-add": [
            Route("/assistance/households/{pk}/measures/add/?kind=micro_loan", target="household"),
            Route(
                "/assistance/households/{pk}/measures/add/",
                "POST",
                target="household",
                body=lambda w, v: MEASURE_FORM,
                form=True,
                ok=302,
                audit=MEASURE_CREATE,
            ),
        ],
        "assistance:measure-edit": [
            Route("/assistance/measures/{pk}/edit/", target="measure"),
            Route(
                "/assistance/measures/{pk}/edit/",
                "POST",
                target="measure",
                body=_measure_edit_form,
                form=True,
                ok=302,
                audit=MEASURE_UPDATE,
            ),
        ],
        "assistance:measure-end": [
            Route(
                "/assistance/measures/{pk}/end/",
                "POST",
                target="measure",
                body=lambda w, v: {"on": "2024-06-01"},
                form=True,
                ok=302,
                audit=MEASURE_UPDATE,
            )
        ],
        "assistance:measure-list": [
            Route("/assistance/measures/", lists=True, shows=True),
            Route("/assistance/measures/?category=02&status=in_place&started_from=2024-01-01", lists=True, shows=True),
        ],
        "assistance:measure-export": [
            Route(
                "/assistance/measures/export.xlsx",
                lists=True,
                shows=True,
                audit=(("export", "assistance.measure"),),
                refused=None,
                note="every role that reads the list may download it (no sensitive field in it)",
            )
        ],
        "assistance:measure-loans": [Route("/assistance/measures/micro-loans/", lists=True)],
        "assistance:measure-import": [
            Route("/assistance/measures/import/"),
            Route(
                "/assistance/measures/import/",
                "POST",
                body=_measure_upload,
                form=True,
                ok=302,
                audit=(("create", "assistance.measure", "import"), ("import", "assistance.measure", "import")),
                note="a row names its household by 户编号: another area's reads as one that does not exist",
            ),
        ],
    }
)
API.update(
    {
        ("GET", "/api/assistance/measures"): [
            Route(lists=True, shows=True),
            Route("?kind=micro_loan&area=149901001001", lists=True, shows=True),
        ],
        ("GET", "/api/assistance/measures/micro-loans"): [Route(lists=True)],
        ("GET", "/api/assistance/measures/{measure_id}"): [Route(target="measure")],
        ("POST", "/api/assistance/measures"): [
            Route(body=_measure_api_body, ok=201, audit=MEASURE_CREATE, refused="cadre_a1")
        ],
        ("PATCH", "/api/assistance/measures/{measure_id}"): [
            Route(target="measure", body=lambda w, v: {"subtype": "务工补贴"}, audit=MEASURE_UPDATE)
        ],
        ("POST", "/api/assistance/measures/{measure_id}/end"): [
            Route(target="measure", body=lambda w, v: {"on": "2024-06-01"}, audit=MEASURE_UPDATE)
        ],
    }
)
ADMIN_MODELS["assistance.measure"] = AdminModel("measure", reason="read-only")  # services.measures checks each kind
# ── assistance: programmes (their own module, which uses Route above) ─────────────────────────────────────────
from tests.sweep.routes_programmes import API_PROGRAMMES, WEB_PROGRAMMES  # noqa: E402

WEB.update(WEB_PROGRAMMES)
API.update(API_PROGRAMMES)
# ── funds: one module a topic (each uses Route above) ─────────────────────────────────────────────────────────
from tests.sweep import (  # noqa: E402
    routes_funds_assets,
    routes_funds_ledger,
    routes_funds_links,
    routes_funds_projects,
    routes_funds_standards,
)

for _topic in (
    routes_funds_ledger,
    routes_funds_projects,
    routes_funds_assets,
    routes_funds_standards,
    routes_funds_links,
):
    WEB.update(_topic.WEB_FUNDS)
    API.update(_topic.API_FUNDS)
    ADMIN_MODELS.update(_topic.ADMIN_FUNDS)
# ── supervision: one module a topic (each uses Route above) ───────────────────────────────────────────────────
from tests.sweep import (  # noqa: E402
    routes_supervision_bulletins,
    routes_supervision_checks,
    routes_supervision_index,
    routes_supervision_problems,
)

for _topic in (
    routes_supervision_index,
    routes_supervision_problems,
    routes_supervision_checks,
    routes_supervision_bulletins,
):
    WEB.update(_topic.WEB_SUPERVISION)
    API.update(_topic.API_SUPERVISION)
    ADMIN_MODELS.update(_topic.ADMIN_SUPERVISION)
