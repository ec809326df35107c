"""The sweep's funds routes (ledger), joined into routes.WEB, routes.API and routes.ADMIN_MODELS. The world's records
are in tests/sweep/world_funds_ledger.py.

The county's own records (sources, budgets, batches) are read by every user of the county (allocation results are
public: 谁分配、谁公开), so their pages are swept as lists (nothing of another area in them: a batch page lists only
the lines landing in the reader's area) rather than as 东一村's records; their writes are the county's, refused to
every other role before anything is read."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import COUNTY, TOWNSHIP_A
from tests.sweep.routes import AdminModel, Route
from tests.sweep.world_funds_ledger import BATCH_PK

BATCH = f"/funds/batches/{BATCH_PK}/"
BATCH_CREATE = (("create", "funds.batch"), ("create", "funds.batch_lines"))


def _pk(world, name):
    return world.pk(name) if world is not None else 0  # None: the API probes' bodies


def _source_form(world, village):
    return {"county": COUNTY, "name": "新增扶贫资金", "level": "county", "kind": "special"}


def _budget_form(world, village):
    return {"source": _pk(world, "ledger_source"), "year": 2025, "amount": "12.3456", "document_date": "2024-05-01"}


def _batch_form(world, village):
    source = _pk(world, "ledger_source")
    return {
        "county": COUNTY, "year": 2024, "number": 2, "title": "第二批", "document_date": "2024-04-01",
        "sources-TOTAL_FORMS": 1, "sources-INITIAL_FORMS": 0, "sources-0-source": source, "sources-0-declared": "50",
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0, "lines-0-source": source, "lines-0-category": "pond",
        "lines-0-receiver": village, "lines-0-amount": "50",
    }  # fmt: skip


def _lines_form(world, village):
    source = _pk(world, "ledger_source")
    return {"lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0, "lines-0-source": source, "lines-0-category": "pond",
            "lines-0-receiver": village, "lines-0-amount": "5"}  # fmt: skip


def _publish_form(world, village):
    return {"published_on": "2024-03-05", "published_where": "县政府门户网站", "published_days": 10}


def _transfer_form(world, village):
    return {"giver": TOWNSHIP_A, "receiver": village, "source": _pk(world, "ledger_source"), "category":
            "infrastructure", "year": 2024, "amount": "1", "on": "2024-04-01", "kind": "allocation"}  # fmt: skip


def _import_form(world, village):
    content = "资金名称,年度,预算金额（万元）,下达日期\n县级财政衔接资金,2025,123.4567,2024-05-01\n".encode()
    return {"file": SimpleUploadedFile("预算.csv", content, content_type="text/csv")}


def _batch_api(world, village):
    source = _pk(world, "ledger_source")
    return {"county_code": COUNTY, "year": 2024, "number": 3, "title": "第三批", "document_date": "2024-04-02",
            "sources": [{"source_id": source, "declared": "10"}],
            "lines": [{"source_id": source, "category": "pond", "to_area_code": village, "amount": "10"}]}  # fmt: skip


def _county(**extra):
    return {"writer": "county", "audit_area": COUNTY, "refused": "township_a", **extra}


WEB_FUNDS: dict = {
    "funds:ledger": [
        Route("/funds/ledger/", lists=True),
        Route(f"/funds/ledger/?area={TOWNSHIP_A}&as_of=2024-06-01&year=2024", lists=True, writer="township_a"),
    ],
    "funds:ledger-export": [
        Route(
            "/funds/ledger/export.xlsx?as_of=2024-06-01", lists=True, audit=(("export", "funds.ledger"),), refused=None
        ),
    ],  # fmt: skip
    "funds:ledger-sources": [Route("/funds/sources/", lists=True)],
    "funds:ledger-source-add": [
        Route("/funds/sources/add", writer="county"),
        Route(
            "/funds/sources/add",
            method="POST",
            form=True,
            body=_source_form,
            **_county(audit=(("create", "funds.fundsource"),), ok=302),
        ),
    ],  # fmt: skip
    "funds:ledger-budget-add": [
        Route("/funds/budgets/add", writer="county"),
        Route(
            "/funds/budgets/add",
            method="POST",
            form=True,
            body=_budget_form,
            **_county(audit=(("create", "funds.budget"),), ok=302),
        ),
    ],  # fmt: skip
    "funds:ledger-batches": [Route("/funds/batches/", lists=True)],
    "funds:ledger-batch-add": [
        Route("/funds/batches/add", writer="county"),
        Route("/funds/batches/add", method="POST", form=True, body=_batch_form, **_county(audit=BATCH_CREATE, ok=302)),
    ],
    "funds:ledger-batch": [Route(BATCH, lists=True, shows=True)],
    "funds:ledger-batch-lines": [
        Route(f"{BATCH}lines", writer="county"),
        Route(
            f"{BATCH}lines",
            method="POST",
            form=True,
            body=_lines_form,
            **_county(audit=(("update", "funds.batch_lines"),), ok=302),
        ),
    ],  # fmt: skip
    "funds:ledger-batch-publish": [
        Route(f"{BATCH}publish", writer="county"),
        Route(
            f"{BATCH}publish",
            method="POST",
            form=True,
            body=_publish_form,
            **_county(audit=(("update", "funds.batch"),), ok=302),
        ),
    ],  # fmt: skip
    "funds:ledger-import": [
        Route("/funds/ledger/import", writer="county"),
        Route(
            "/funds/ledger/import",
            method="POST",
            form=True,
            body=_import_form,
            **_county(audit=(("create", "funds.budget", "import"), ("import", "funds.ledger", "import")), ok=302),
        ),
    ],  # fmt: skip
    "funds:ledger-template": [Route("/funds/ledger/template.xlsx")],
    "funds:ledger-transfers": [Route("/funds/transfers/", lists=True, shows=True)],
    "funds:ledger-transfer-add": [
        Route("/funds/transfers/add", writer="township_a"),
        Route(
            "/funds/transfers/add",
            method="POST",
            form=True,
            body=_transfer_form,
            writer="township_a",
            audit=(("create", "funds.transfer"),),
            ok=302,
        ),
    ],  # fmt: skip
}
API_FUNDS: dict = {
    ("GET", "/api/funds/ledger"): [Route(lists=True), Route(f"?area={TOWNSHIP_A}&year=2024", lists=True)],
    ("GET", "/api/funds/batches"): [Route(lists=True)],
    ("GET", "/api/funds/batches/{batch_id}"): [
        Route(
            exempt="a county's batch is read by every user of the county (谁分配、谁公开): no area to hide it from, "
            "and its figures name no area; the same figures are swept on the web batch page as a list"
        )
    ],
    ("POST", "/api/funds/batches"): [Route(body=_batch_api, ok=201, **_county(audit=BATCH_CREATE))],
    ("POST", "/api/funds/batches/{batch_id}/publish"): [
        Route(
            target="ledger_batch",
            body=lambda w, v: _publish_form(w, v),
            like_missing=False,
            **_county(audit=(("update", "funds.batch"),)),
            note="the county's batch: an outsider (a village, a township) is refused by role, 403",
        ),
    ],  # fmt: skip
}
ADMIN_FUNDS: dict = {
    **{
        f"funds.{name}": AdminModel(reason="a county's own record: its administrators and superusers only, read-only")
        for name in ("fundsource", "budget", "batch")
    },
    "funds.transfer": AdminModel("ledger_transfer", reason="read-only"),
}
