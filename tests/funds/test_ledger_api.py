"""The ledger API: the four-level ledger as of a date (scoped), batches listed, read with their figures, created
(all or nothing, the refusal in the one error shape) and published against the 15-working-day deadline."""

import pytest

from fupin.funds import codes
from fupin.funds.models import Batch, Transfer
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1
from tests.funds.ledger_helpers import seed_004

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(users):
    return seed_004(users["county"])


def test_read_the_ledger_as_of_a_date(api_as, seeded):
    province, county, batch = seeded
    answer = api_as("county").get("/funds/ledger", as_of="2018-05-15", year=2018)
    assert answer.status_code == 200
    body = answer.json()
    own = [r for r in body["rows"] if r["holder_level"] == 1 and r["source_id"] == county.pk]
    assert sum(float(r["received"]) for r in own) == 8377.5
    budget_row = next(r for r in own if r["category"] == "")
    assert budget_row["received"] == "8377.5000"  # exact, as text
    townships = api_as("township_a").get("/funds/ledger", as_of="2018-05-15").json()["rows"]
    assert {r["holder_code"] for r in townships} == {TOWNSHIP_A}  # its own (its villages have nothing yet)


def test_the_ledger_outside_the_area_is_not_found(api_as, seeded):
    assert api_as("village_a1").get("/funds/ledger", area=COUNTY).status_code == 404
    assert api_as("village_a1").get("/funds/ledger", area=VILLAGE_A1).status_code == 200
    assert api_as(None).get("/funds/ledger").status_code == 401


def test_batches_list_and_detail(api_as, seeded):
    province, county, batch = seeded
    page = api_as("township_a").get("/funds/batches").json()
    assert page["count"] == 1 and page["items"][0]["title"] == batch.title
    detail = api_as("county").get(f"/funds/batches/{batch.pk}").json()
    figures = {s["source_id"]: s for s in detail["sources"]}
    assert figures[county.pk]["remaining"] == "3141.6443"
    assert figures[county.pk]["difference"] == "0.0003"
    assert detail["deadline"] == "2018-04-24" and detail["batch"]["county"] == COUNTY
    assert api_as("county").get("/funds/batches/999999").status_code == 404


def _body(county, **extra):
    return {
        "county_code": COUNTY, "year": 2018, "number": 2, "title": "第二批", "document_date": "2018-09-25",
        "sources": [{"source_id": county.pk, "declared": "3141.6443"}],
        "lines": [{"source_id": county.pk, "category": codes.UseCategory.POND, "to_area_code": VILLAGE_A1,
                   "amount": "3141.6443"}],
        **extra,
    }  # fmt: skip


def test_create_a_batch_all_or_nothing(api_as, seeded):
    province, county, batch = seeded
    over = _body(county, sources=[{"source_id": county.pk, "declared": "3141.6444"}])
    refused = api_as("county").post("/funds/batches", over)
    assert refused.status_code == 422 and "剩余 3141.6443 万元" in refused.json()["error"]["message"]
    bad_line = _body(county)
    bad_line["lines"].append({"source_id": county.pk, "category": "nope", "to_area_code": VILLAGE_A1, "amount": "1"})
    refused = api_as("county").post("/funds/batches", bad_line)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "lines.2.category"
    assert Batch.objects.count() == 1 and Transfer.objects.count() == 20
    assert api_as("township_a").post("/funds/batches", _body(county)).status_code == 403
    made = api_as("county").post("/funds/batches", _body(county))
    assert made.status_code == 201 and made.json()["sources"][0]["remaining"] == "0.0000"


def test_publish(api_as, seeded):
    province, county, batch = seeded
    url = f"/funds/batches/{batch.pk}/publish"
    late = {"published_on": "2018-04-25", "published_where": "县政府网站", "published_days": 10}
    assert api_as("county").post(url, late).status_code == 422
    assert api_as("township_a").post(url, late).status_code == 403
    done = api_as("county").post(url, {**late, "late_reason": "系统故障"})
    assert done.status_code == 200 and done.json()["state"] == "late"
