"""The sweep's funds records (ledger): the county's own source, its 2024 budget and batch (a county's records: the
whole county reads them, 谁分配、谁公开), the batch's lines to 东乡镇 and to 东一村, and 东乡镇's transfer on to
东一村. 东一村's markers are the notes of the two transfers that land in it. The batch has a fixed pk (BATCH_PK) so
its page can be swept as a list, which every user of the county may read. Joined into tests/sweep/world.py."""

from datetime import date

from fupin.funds import codes
from fupin.funds.models import Batch, BatchSource
from fupin.funds.services import funds
from tests.factories import COUNTY, TOWNSHIP_A, VILLAGE_A1

BATCH_PK = 4242
LINE_NOTE_A1 = "东一村塘堰整治款"
TRANSFER_NOTE_A1 = "东一村道路养护款"
BATCH_DAY = date(2024, 3, 1)


def build(users, household) -> tuple[dict, list[str]]:
    """(the world's objects by name, 东一村's markers)."""
    county = users["county"]
    source = funds.create_source(
        county, county_code=COUNTY, name="县级财政衔接资金", level=codes.FundLevel.COUNTY,
        kind=codes.FundKind.LINKAGE, via="test",
    )  # fmt: skip
    budget = funds.set_budget(county, source=source, year=2024, amount="500", document_date=date(2024, 1, 15))
    batch = Batch.objects.create(
        pk=BATCH_PK, county_id=COUNTY, year=2024, number=1, title="2024年第一批衔接资金", document_date=BATCH_DAY
    )
    BatchSource.objects.create(batch=batch, source=source, declared="100")
    line = {"source": source.pk, "category": codes.UseCategory.INFRASTRUCTURE}
    funds.add_lines(
        county,
        batch,
        [{**line, "to_area_code": TOWNSHIP_A, "amount": "60"},
         {**line, "to_area_code": VILLAGE_A1, "amount": "40", "note": LINE_NOTE_A1}],
        via="test",
    )  # fmt: skip
    transfer = funds.record_transfer(
        users["township_a"], from_area_code=TOWNSHIP_A, to_area_code=VILLAGE_A1, source=source.pk,
        category=codes.UseCategory.INFRASTRUCTURE, year=2024, amount="20", on=date(2024, 3, 20),
        note=TRANSFER_NOTE_A1, via="test",
    )  # fmt: skip
    objects = {"ledger_source": source, "ledger_budget": budget, "ledger_batch": batch, "ledger_transfer": transfer}
    return objects, [LINE_NOTE_A1, TRANSFER_NOTE_A1]
