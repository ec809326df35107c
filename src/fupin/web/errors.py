"""The project's error pages (handler400 and handler500 in fupin.urls; 403 and 404 are Django's own views, which
render templates/403.html and 404.html with the request). A request for JSON — the API, the reveal endpoint the
pages' script calls — gets the one error shape instead of a page."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from fupin.core.errors import BadRequest, DomainError, json_error, too_large

#: the views that answer in JSON, by URL name (every path under /api/ does, whatever raised)
JSON_VIEWS = {"registry:reveal"}


class _ServerError(DomainError):
    code = "server_error"
    status = 500


def wants_json(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return request.path.startswith("/api/") or (match is not None and match.view_name in JSON_VIEWS)


def bad_request(request, exception):
    """400, or 413 for a body, a form field or a number of fields over Django's limits (RequestDataTooBig,
    TooManyFieldsSent: raised where the form is first read, often by the CSRF check before any view)."""
    refusal = too_large(exception) or BadRequest("请求无法处理：提交的内容格式不正确或不完整")
    if wants_json(request):
        return json_error(refusal)
    template = "413.html" if refusal.status == 413 else "400.html"
    return render(request, template, {"message": refusal.message}, status=refusal.status)


def server_error(request):
    """A page that needs neither the database nor the request's context (either may be what failed)."""
    if wants_json(request):
        return json_error(_ServerError("服务器内部错误"))
    return HttpResponseServerError(loader.get_template("500.html").render())
