"""Making the sweep's requests and reading their answers as text: HTML and JSON as a user would read them
(JSON with its escapes undone), CSV decoded, workbooks cell by cell through python-calamine."""

import difflib
import io
import json
import re

from django.apps import apps
from django.test import Client
from django.test.client import ClientHandler
from python_calamine import CalamineWorkbook

from fupin.accounts.models import AuditEntry
from fupin.exchange.template import CODE_LIST

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"csrfToken": ?|csrftoken=)"?[^"\s;]*"?')
SELECT = re.compile(r"<select\b.*?</select>", re.S)
#: one middleware chain for every request (WhiteNoise indexes the static files once per chain); no CSRF check,
#: as Client's own handler
_HANDLER = ClientHandler(enforce_csrf_checks=False)


def browser(user=None) -> Client:
    """A test client with no cookies (logged in as `user` when given), on the shared middleware chain."""
    fresh = Client()
    fresh.handler = _HANDLER
    if user is not None:
        fresh.force_login(user)
    return fresh


def request(world, case, user, pk=None, village=None, *, body=...):
    """Make the case's request as `user` (a username): a logged-in session on the web (and for the API's
    session-only operations), a bearer token on the API. `response.audit` holds the audit entries the request
    left (new_audit's tuples)."""
    route = case.route
    session = browser()
    path = case.path(pk)
    data = route.body(world, village) if route.body is not None and body is ... else (None if body is ... else body)
    if case.family == "web" or case.key == "POST /api/tokens":
        session.force_login(world.users[user])
        headers = {}
    else:
        headers = {"Authorization": f"Bearer {world.keys[user]}"}
    since = last_audit_id()  # after the login, which is audited itself
    if route.method == "GET":
        response = session.get(path, headers=headers)
    elif route.form:
        response = session.post(path, data or {}, headers=headers)
    else:
        payload = "" if data is None else json.dumps(data)
        response = session.generic(route.method, path, payload, content_type="application/json", headers=headers)
    response.audit = new_audit(since)
    return response


def raw(response) -> bytes:
    """The body (a streamed one read once and kept)."""
    if not hasattr(response, "sweep_body"):
        response.sweep_body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.sweep_body


def text(response, *, forms: bool = True) -> str:
    """Everything the answer says, as text; `forms=False` leaves out drop-downs (their options list every code's
    label, e.g. each health status, whatever the record holds)."""
    content, kind = raw(response), response.get("Content-Type", "")
    if kind.startswith(XLSX):  # the hidden code list is a workbook's drop-downs: every label of every code list
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return "\n".join(
            "\t".join(str(cell) for cell in row)
            for name in workbook.sheet_names
            if forms or name != CODE_LIST
            for row in workbook.get_sheet_by_name(name).to_python()
        )
    decoded = content.decode("utf-8-sig", errors="replace")
    if kind.startswith("application/json") and decoded:
        decoded = json.dumps(json.loads(decoded), ensure_ascii=False)
    for name, value in response.items():
        decoded += f"\n{name}: {value}"  # headers too: a Location or a file name can leak
    return decoded if forms else SELECT.sub("", decoded)


def normalized(response, *replace: tuple[str, str]) -> tuple[int, str]:
    """Status and text with the per-response CSRF token and session cookie left out and the given values (the
    pk or code that differs between two requests) replaced by placeholders."""
    body = text(response)
    for old, new in replace:
        body = body.replace(str(old), new)
    body = CSRF.sub("<csrf>", body)
    body = re.sub(r"sessionid=[^;]*", "sessionid=<session>", body)
    body = re.sub(r"\n(Date|Expires|Content-Length): .*", "", body)
    return response.status_code, body


def explain(mine, theirs) -> str:
    """The lines that differ between two normalized answers, for a failure's message."""
    lines = difflib.unified_diff(theirs[1].splitlines(), mine[1].splitlines(), "missing", "refused", lineterm="", n=0)
    return f"status {mine[0]} / {theirs[0]}\n" + "\n".join(lines)


#: tables whose rows change as a side effect of reading (sessions, last login, token use, derived profiles)
VOLATILE = {
    "sessions.session",
    "policy.householdprofile",
    "policy.profilestate",
    "accounts.auditentry",
    "django_tasks_database.dbtaskresult",
    "admin.logentry",
}
VOLATILE_FIELDS = {"last_login", "last_used_at", "updated_at", "recorded_at"}


def state(ignore=()) -> dict:
    """Every row of the project's tables (small in the sweep), so that a write that should change nothing can
    be shown to have changed nothing, whichever table it would have touched. The audit log is counted apart."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE or label in ignore:
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_FIELDS]
        rows[label] = list(model.objects.order_by("pk").values_list(*names))
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def new_audit(since: int) -> list[tuple]:
    return [
        (entry.action, entry.model, entry.via, entry.area_code)
        for entry in AuditEntry.objects.filter(id__gt=since).order_by("id")
    ]


def last_audit_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
