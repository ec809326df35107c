"""The sweep's funds routes (projects), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's records
are in tests/sweep/world_funds_projects.py: a proposal at 户申请 (village_a1 takes it), a project in the plan, one
under way, one accepted, one audited. Starting, reporting, paying, accepting and the completion notice are the
township's (a village may not: `refused`); the audit is the county's and the inspectors'."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import VILLAGE_A1
from tests.sweep.routes import AdminModel, Route
from tests.sweep.world_funds_projects import PDF, SOURCE

CREATE = (("create", "funds.project"),)
UPDATE = (("update", "funds.project"),)
STEP = (("create", "funds.projectstep"),)
PROGRESS = (("create", "funds.progress"),)
PAY = (("create", "funds.disbursement"),)
FILE = (("create", "funds.projectfile"),)
EXPORT = (("export", "funds.project"),)
IMPORT = (("create", "funds.project", "import"), ("import", "funds.project", "import"))


def _source(world):
    return world.pk("fund_source_projects") if world is not None else 0  # None: the API probes' bodies


def _proposal_form(world, village):
    return {
        "area_code": village, "name": "扫描新项目", "year": "2025", "project_type": "road", "category": "group_road",
        "unit": "km", "planned_quantity": "1", "cost": "10", "benefit_mechanism": "务工",
        "target_0_indicator": "长度", "target_0_target": "1公里",
        "funding_0_source": str(_source(world)), "funding_0_amount": "10",
    }  # fmt: skip


def _edit_form(world, village):
    data = _proposal_form(world, village)
    data.pop("area_code")
    return {**data, "name": "扫描修改项目"}


def _proposal_json(world, village):
    return {
        "area_code": village, "name": "扫描新项目", "year": 2025, "project_type": "road", "category": "group_road",
        "unit": "km", "planned_quantity": "1", "cost": "10", "benefit_mechanism": "务工",
        "targets": [{"indicator": "长度", "target": "1公里"}],
        "funding": [{"source_id": _source(world), "amount": "10"}],
    }  # fmt: skip


def _import(world, village):
    header = "项目名称,计划年度,项目地点代码,项目类型,资金用途,计量单位,计划建设规模,投资估算（万元）,资金筹措（万元）"
    row = f"扫描导入项目,2025,{village},道路交通,社级道路建设,公里,1,10,{SOURCE}：10"
    return {"upload": SimpleUploadedFile("项目库.csv", f"{header}\n{row}\n".encode(), content_type="text/csv")}


def _upload(world, village):
    return {"kind": "photo", "upload": SimpleUploadedFile("现场.pdf", PDF, content_type="application/pdf")}


def _form(path, body, audit, target, **extra):
    return Route(path, "POST", target=target, body=body, form=True, ok=302, audit=audit, **extra)


def _act(name, target, body, audit, *, writer="township_a", refused="village_a1"):
    path = f"/funds/projects/{{pk}}/{name}/"
    return [
        Route(path, target=target, writer=writer),
        _form(path, body, audit, target, writer=writer, refused=refused),
    ]


WEB_FUNDS: dict = {
    "funds:project-list": [
        Route("/funds/projects/", lists=True, shows=True),
        Route("/funds/projects/?stage=implementing&year=2025", lists=True, shows=True),
        Route(f"/funds/projects/?township={VILLAGE_A1[:9]}000", lists=True),
    ],
    "funds:project-export": [Route("/funds/projects/export.xlsx", lists=True, shows=True, audit=EXPORT, refused=None)],
    "funds:project-add": [
        Route("/funds/projects/add/"),
        Route("/funds/projects/add/", "POST", body=_proposal_form, form=True, ok=302, audit=CREATE),
    ],
    "funds:project-bulletin": [
        Route("/funds/projects/bulletin/?month=2025-06", lists=True, shows=True),
        Route("/funds/projects/bulletin/?month=2025-06&by=department&year=2025", lists=True, shows=True),
    ],
    "funds:project-bulletin-xlsx": [
        Route("/funds/projects/bulletin.xlsx?month=2025-06", lists=True, shows=True, audit=EXPORT, refused=None)
    ],
    "funds:project-import": [
        Route("/funds/projects/import/", writer="township_a"),
        Route("/funds/projects/import/", "POST", body=_import, form=True, ok=302, audit=IMPORT, writer="township_a"),
    ],
    "funds:project-detail": [
        Route("/funds/projects/{pk}/", target="project_proposed"),
        Route("/funds/projects/{pk}/", target="project_audited"),
    ],
    "funds:project-edit": [
        Route("/funds/projects/{pk}/edit/", target="project_proposed"),
        _form("/funds/projects/{pk}/edit/", _edit_form, UPDATE, "project_proposed"),
    ],
    "funds:project-step": [
        Route("/funds/projects/{pk}/step/", target="project_proposed"),
        _form(
            "/funds/projects/{pk}/step/",
            lambda w, v: {"decision": "approve", "on": "2025-03-01"},
            STEP,
            "project_proposed",
        ),
    ],  # fmt: skip
    "funds:project-start": _act("start", "project_planned", lambda w, v: {"on": "2025-04-02"}, UPDATE),
    "funds:project-progress": _act(
        "progress", "project_running", lambda w, v: {"month": "2025-06", "quantity_done": "1.5"}, PROGRESS
    ),
    "funds:project-pay": _act(
        "pay",
        "project_running",
        lambda w, v: {"source_id": str(_source(w)), "amount": "1.2345", "on": "2025-05-02"},
        PAY,
    ),  # fmt: skip
    "funds:project-file-add": [
        Route("/funds/projects/{pk}/files/", target="project_running", writer="village_a1"),
        _form("/funds/projects/{pk}/files/", _upload, FILE, "project_running", refused="cadre_a1"),
    ],
    "funds:project-accept": _act(
        "accept", "project_running", lambda w, v: {"on": "2025-06-01", "result": "failed", "record": "整改"}, UPDATE
    ),
    "funds:project-audit": _act(
        "audit",
        "project_accepted",
        lambda w, v: {"on": "2025-07-01", "opinion": "规范"},
        UPDATE,
        writer="inspector",
        refused="township_a",
    ),  # fmt: skip
    "funds:project-complete": _act("complete", "project_audited", lambda w, v: {"on": "2025-07-02"}, UPDATE),
    "funds:project-withdraw": [
        Route("/funds/projects/{pk}/withdraw/", target="project_proposed"),
        _form("/funds/projects/{pk}/withdraw/", lambda w, v: {"reason": "重复申报"}, UPDATE, "project_proposed"),
    ],
    "funds:project-notice": [
        Route("/funds/projects/{pk}/notice/village/", target="project_planned"),
        Route("/funds/projects/{pk}/notice/county/", target="project_proposed"),
        Route("/funds/projects/{pk}/notice/completion/", target="project_audited"),
    ],
    "funds:project-file": [
        Route(
            "/funds/project-files/{pk}/",
            target="project_file",
            audit=(("export", "funds.projectfile"),),
            refused=None,
            note="read by every reader of the project, as its page is",
        )
    ],
}


def _api(path, target, body, audit, *, ok=201, writer="township_a", refused="village_a1"):
    return [Route(target=target, body=body, ok=ok, audit=audit, writer=writer, refused=refused)]


P = "/api/funds/projects/{project_id}"
API_FUNDS: dict = {
    ("GET", "/api/funds/projects"): [Route(lists=True, shows=True), Route("?stage=proposed&year=2025", lists=True)],
    ("POST", "/api/funds/projects"): [Route(body=_proposal_json, ok=201, audit=CREATE)],
    ("GET", P): [Route(target="project_running")],
    ("POST", f"{P}/steps"): [
        Route(
            target="project_proposed",
            body=lambda w, v: {"step": "apply", "decision": "approve", "on": "2025-03-01"},
            ok=201,
            audit=STEP,
        )
    ],  # fmt: skip
    ("POST", f"{P}/start"): _api("start", "project_planned", lambda w, v: {"on": "2025-04-02"}, UPDATE, ok=200),
    ("POST", f"{P}/progress"): _api(
        "progress", "project_running", lambda w, v: {"month": "2025-06-01", "quantity_done": "1.5"}, PROGRESS
    ),
    ("POST", f"{P}/disbursements"): _api(
        "pay", "project_running", lambda w, v: {"source_id": _source(w), "amount": "1.2345", "on": "2025-05-02"}, PAY
    ),
    ("POST", f"{P}/acceptance"): _api(
        "accept",
        "project_running",
        lambda w, v: {"on": "2025-06-01", "result": "failed", "record": "整改"},
        UPDATE,
        ok=200,
    ),  # fmt: skip
    ("POST", f"{P}/audit"): _api(
        "audit",
        "project_accepted",
        lambda w, v: {"on": "2025-07-01", "opinion": "规范"},
        UPDATE,
        ok=200,
        writer="inspector",
        refused="township_a",
    ),  # fmt: skip
    ("POST", f"{P}/completion"): _api("complete", "project_audited", lambda w, v: {"on": "2025-07-02"}, UPDATE, ok=200),
    ("GET", "/api/funds/project-bulletin"): [Route("?month=2025-06-01", lists=True, refused=None)],
}


ADMIN_FUNDS: dict = {
    "funds.project": AdminModel("project_running", reason="read-only"),
    "funds.procedurestep": AdminModel(
        reason="a county's own record (its procedure), shown and edited in the admin to the county's "
        "administrators only (a township's staff are refused, like a model without an area)"
    ),
}
