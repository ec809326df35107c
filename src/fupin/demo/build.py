"""The orchestrator: plan the county, run every app's part on each township, load the chunks, add the users.

`PARTS` is the list of the apps' entries, called in this order on every township (see the package docstring);
`CHUNK_MODELS` the tables they fill, in the order they are written (parents first).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connections, transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.core.progress import Progress
from fupin.registry import bulkload
from fupin.registry.models import Household

from . import areas, assistance, department_data, funds, households, load, monitoring, users, villages
from .areas import CITY_CODE, CITY_NAME, DEMO_PREFIX, plan_chunks
from .errors import DemoDataExists, InvalidDemoOptions
from .township import Township

#: each app's entry, called in this order on every township: it reads the arrays the parts before it left on
#: the Township and returns its tables' rows (model label → columns). monitoring, assistance and funds add
#: theirs after the registry's.
PARTS = (households.build, areas.build, villages.build, monitoring.build)
#: the tables the parts fill, in the order they are written (parents first)
CHUNK_MODELS = (*areas.MODELS, *households.MODELS, *villages.MODELS, *monitoring.MODELS)
#: the tables whose ids the parts assign
ID_MODELS = (*households.MODELS, "areas.AreaPopulation", *villages.MODELS, *monitoring.MODELS)
#: the big tables whose secondary indexes and constraints are set aside during the load
BULK_MODELS = households.MODELS


@dataclass
class DemoSummary:
    """What was generated, for the command to print."""

    persons: int = 0
    counties: int = 0
    townships: int = 0
    villages: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # model label → rows written
    registered_households: int = 0
    registered_persons: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, role label, area name
    password: str = ""
    seconds: float = 0.0


def existing_data() -> str:
    """Why the database is not empty for the demo, or '' when it is."""
    households_there = Household.objects.count()
    if households_there:
        return f"数据库中已有 {households_there} 户建档立卡数据"
    if Area.objects.under(DEMO_PREFIX).exists():
        return f"数据库中已有演示区划（{CITY_CODE} {CITY_NAME}）"
    if User.objects.filter(username__in=users.USERNAMES).exists():
        return "数据库中已有演示用户"
    return ""


def _township(plan, as_of, ids, now, loader) -> tuple[dict, dict]:
    """One township's chunk, encoded for the loader (PostgreSQL: COPY bytes), and its figures for the summary."""
    township = Township(plan, as_of, ids, now)
    chunk = {}
    for part in PARTS:
        chunk.update(part(township))
    stats = {
        "registered_households": int(township.poor.sum()),
        "registered_persons": int(township.sizes[township.poor].sum()),
    }
    return loader.encode(loader.specs, chunk), stats


def generate(
    persons: int = 50_000,
    seed: int = 2014,
    *,
    replace: bool = False,
    as_of: date | None = None,
    progress: Progress | None = None,
    parallel: bool | None = None,
    using: str = "default",
) -> DemoSummary:
    """Generate and load the demo county (see the package docstring). Refuses a database that already holds
    registry data unless `replace`, which deletes all registry data, the demo areas and the demo users first.

    The data is a function of (persons, seed, as_of); as_of defaults to today and bounds every event date.
    `parallel` (default: from 100,000 persons on, where it pays for the process start) generates in a second
    process.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    as_of = as_of or timezone.localdate()
    if as_of < date(2021, 1, 1):
        raise InvalidDemoOptions("演示数据的脱贫历史到 2020 年，截至日期须在 2021 年或以后")
    plans = plan_chunks(persons, seed)
    parallel = persons >= 100_000 if parallel is None else parallel
    connection = connections[using]
    loader = bulkload.loader_for(connection, CHUNK_MODELS)
    summary = DemoSummary(persons=persons, password=users.demo_password(seed))
    summary.counties = len({p.county_code for p in plans})
    summary.townships = len(plans)
    summary.villages = sum(len(p.village_codes) for p in plans)
    now = timezone.now()

    with bulkload.fast_sqlite_commit(connection), transaction.atomic(using=using):
        reason = existing_data()
        if reason and not replace:
            raise DemoDataExists(
                f"{reason}。为免演示数据与真实数据混在一起，未生成；如确需替换，请加 --replace"
                f"（将删除全部建档立卡数据、演示区划和演示用户）"
            )
        with loader.session():
            loader.suspend_indexes(BULK_MODELS)  # first: deleting rows is faster without them too
            if reason:
                progress.phase("清除旧数据", 1)
                funds.delete_existing(DEMO_PREFIX)  # its projects and assets hold on to households and areas
                assistance.delete_existing(DEMO_PREFIX)  # its records hold on to households and cadres
                load.delete_existing(loader, BULK_MODELS)
                progress.advance("清除旧数据", 1)
            ids = load.id_cursor(ID_MODELS)
            loader.write_rows("areas.Area", areas.top_rows(persons))
            progress.phase("生成并写入", persons)
            rows = dict.fromkeys(CHUNK_MODELS, 0)
            make = functools.partial(_township, as_of=as_of, ids=ids, now=now, loader=loader)
            for plan, payload, stats in load.chunks(plans, make, parallel):
                for label in CHUNK_MODELS:
                    rows[label] += loader.write(label, payload[label])
                summary.registered_households += stats["registered_households"]
                summary.registered_persons += stats["registered_persons"]
                progress.advance("生成并写入", plan.persons)
            progress.phase("重建索引和约束", 1)
            loader.restore_indexes()
            loader.finish(CHUNK_MODELS)
            progress.advance("重建索引和约束", 1)
        rows["areas.AreaPopulation"] += areas.county_populations(plans)
        progress.phase("创建演示用户", 1)
        summary.users = users.create(plans, seed)
        # the department login's month of data, through the upload service (after the users: it needs the login)
        rows["monitoring.Clue"] += department_data.build(as_of)
        rows.update(assistance.build(as_of, seed))  # the demo township's assistance records, for every check
        rows.update(funds.build(as_of, seed, DEMO_PREFIX))  # every demo county's funds, projects and assets
        progress.advance("创建演示用户", 1)
    summary.rows = rows
    summary.seconds = time.perf_counter() - started
    return summary
