"""Loading: clearing what `--replace` replaces, the first free ids, and the two-process chunk pipeline.

The chunks are generated in a second process while the first one writes, so both cores work and memory stays
bounded at any size; the generating process never touches the database connection it inherited. The pipeline
knows nothing of what a chunk holds: the orchestrator hands it the function that makes one (`build.py`).
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterator

from django.apps import apps
from django.db.models import Max

from fupin.accounts.models import User
from fupin.areas.models import Area, code_range

from . import users
from .areas import DEMO_PREFIX, PROVINCE_CODE
from .errors import DemoDataExists
from .township import IdCursor


def _reverse_relations(model):
    """Every foreign key pointing at `model`, those without a reverse accessor (related_name="+") too, which
    Meta.related_objects leaves out (an assessment job's run, for one)."""
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]


def _dependent_models(labels):
    """These models and every model that references them (transitively): what --replace empties."""
    found = [apps.get_model(label) for label in labels]
    pending = list(found)
    while pending:
        model = pending.pop()
        for relation in _reverse_relations(model):
            related = relation.related_model
            if related not in found and not related._meta.proxy:
                found.append(related)
                pending.append(related)
    return found[::-1]  # children first


def _delete_area_records(prefix: str, labels):
    """Rows of other apps filed against the demo areas (e.g. a village's facilities checklist): the raw subtree
    delete below bypasses Django's cascades, so they go first. Users and the loaded tables are handled apart."""
    handled = {User, Area, *_dependent_models(labels)}
    for relation in _reverse_relations(Area):
        if relation.related_model not in handled:
            relation.related_model.objects.filter(**{f"{relation.field.name}__in": Area.objects.under(prefix)}).delete()


def delete_existing(loader, labels):
    """Empty the loaded tables (`labels`) and what references them, the demo users and the demo areas; refuse
    while a user who is not a demo login is bound to a demo area."""
    bound = User.objects.filter(area__code__startswith=DEMO_PREFIX).exclude(username__in=users.USERNAMES)
    if bound.exists():
        names = "、".join(bound.values_list("username", flat=True)[:5])
        raise DemoDataExists(f"用户 {names} 绑定在演示区划上，无法替换演示数据；请先修改或删除这些用户")
    loader.delete_all([m._meta.db_table for m in _dependent_models(labels)])
    User.objects.filter(username__in=users.USERNAMES).delete()
    _delete_area_records(DEMO_PREFIX, labels)
    with loader.connection.cursor() as cursor:  # the whole subtree in one statement: parents and children together
        cursor.execute(f"DELETE FROM {Area._meta.db_table} WHERE code >= %s AND code < %s", code_range(DEMO_PREFIX))
    province_children = Area.objects.filter(parent_id=PROVINCE_CODE)
    if not province_children.exists() and not User.objects.filter(area_id=PROVINCE_CODE).exists():
        Area.objects.filter(code=PROVINCE_CODE).delete()  # the demo made it, and nothing else uses it


def id_cursor(labels) -> IdCursor:
    """Start after the current maximum of every table, so explicit ids never collide."""
    return IdCursor({label: (apps.get_model(label).objects.aggregate(m=Max("id"))["m"] or 0) + 1 for label in labels})


def _produce(plans, make: Callable) -> Iterator[tuple]:
    """(plan, payload, stats) chunk after chunk."""
    for plan in plans:
        yield plan, *make(plan)


def _worker(plans, make: Callable, channel):
    """The generating process: never touches the database connection it inherited."""
    try:
        for item in _produce(plans, make):
            channel.put(item)
        channel.put(None)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        channel.put(RuntimeError(f"演示数据生成进程出错：{exc!r}\n{traceback.format_exc()}"))


def chunks(plans, make: Callable, parallel: bool) -> Iterator[tuple]:
    """(plan, payload, stats) in plan order, `make(plan)` giving (payload, stats). In parallel mode a forked
    process generates while this one writes; at most two chunks wait in between, which bounds memory at any size."""
    if not parallel:
        yield from _produce(plans, make)
        return
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=2)
    process = context.Process(target=_worker, args=(plans, make, channel), daemon=True)
    process.start()
    try:
        while True:
            try:
                item = channel.get(timeout=5)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError(f"演示数据生成进程意外退出（退出码 {process.exitcode}）") from None
                continue
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
