"""The REST API (django-ninja): OpenAPI at /api/openapi.json, interactive docs at /api/docs.

One NinjaAPI with the routers of the apps, authenticated by a bearer token or the browser session (see
accounts.api), and one set of exception handlers: every error leaves in one shape,
{"error": {"code", "message" (Chinese), "field", "details"}}, whatever raised it.
"""

import logging
from functools import wraps
from typing import get_args

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponseNotAllowed, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel

from fupin.accounts.api import API_AUTH
from fupin.accounts.api import router as accounts_router
from fupin.assistance.api import router as assistance_router
from fupin.core.errors import DomainError, MethodNotAllowed, NotFound, error_body, too_large
from fupin.exchange.api import router as exchange_router
from fupin.funds.api import router as funds_router
from fupin.monitoring.api import router as monitoring_router
from fupin.monitoring.department_api import router as department_router
from fupin.policy.api import router as policy_router
from fupin.registry.api import router as registry_router
from fupin.supervision.api import router as supervision_router

logger = logging.getLogger("fupin.api")


class FupinAPI(NinjaAPI):
    def _get_urls(self):
        """ninja answers a method its path does not take with a bare HTML 405: each view is wrapped so that the
        answer is the error shape too, keeping its Allow header."""
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _method_not_allowed_in_shape(pattern.callback)
        return urls

    def validation_error_from_error_contexts(self, error_contexts):
        """ninja's errors, each with the Chinese title of the field it is about (taken from the schema), so
        the 422 message can name the field the way the forms do."""
        error = super().validation_error_from_error_contexts(error_contexts)
        titles = [
            _title(context.model, item["loc"])
            for context in error_contexts
            for item in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, title in zip(error.errors, titles):
            item["title"] = title
        return error


def _method_not_allowed_in_shape(view):
    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF itself, for session callers only
    def shaped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        refusal = MethodNotAllowed(request.method, [m.strip() for m in response["Allow"].split(",") if m.strip()])
        shaped_response = domain_error(request, refusal)
        shaped_response["Allow"] = ", ".join(refusal.allowed)
        return shaped_response

    return shaped


def _title(model, loc):
    """The title of the field that `loc` (a pydantic error location) leads to through nested schemas."""
    title = None
    for part in loc:
        field = getattr(model, "model_fields", {}).get(part) if isinstance(part, str) else None
        if field is None:
            continue
        title = field.title
        inner = [arg for arg in (field.annotation, *get_args(field.annotation)) if isinstance(arg, type)]
        model = next((arg for arg in inner if issubclass(arg, BaseModel)), None)
    return title


api = FupinAPI(
    title="扶贫 fupin API",
    version="1",
    description=(
        "建档立卡数据接口。认证：程序使用 `Authorization: Bearer <令牌>`（`fupin token 用户名` 签发），"
        "浏览器使用登录会话（修改数据须带 X-CSRFToken）。数据范围与网页相同：只能看到本人所属区划以下的数据；"
        "证件号码、电话、银行账号、健康状况一律遮蔽，须通过 reveal 接口查看（按角色授权，留审计记录）；"
        "导出文件（/api/households/export）中，有权查看的角色得到完整值，导出记入审计。"
        '所有错误均为 {"error": {"code", "message", "field", "details"}}。'
    ),
    urls_namespace="api",
    auth=API_AUTH,
)
api.add_router("/", accounts_router)
api.add_router("/", registry_router)
api.add_router("/", policy_router)
api.add_router("/", exchange_router)
api.add_router("/", monitoring_router)
api.add_router("/", department_router)  # monitoring: department data (h-dept)
api.add_router("/", assistance_router)
api.add_router("/", funds_router)
api.add_router("/", supervision_router)

# Last, so every path no router matched (and a path with a malformed id) is a 404 in the error shape.
unmatched = Router()


@unmatched.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], "/{path:rest}", auth=None, include_in_schema=False
)
def no_such_endpoint(request, rest: str):
    raise NotFound("未找到该接口")


api.add_router("/", unmatched)


# ---- the one error shape ----------------------------------------------------------------------------------------


def error_response(request, status, code, message, *, field=None, details=None):
    return api.create_response(request, error_body(code, message, field=field, details=details), status=status)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    field = None if exc.field == NON_FIELD_ERRORS else exc.field  # Django's name for "the record as a whole"
    return error_response(request, exc.status, exc.code, exc.message, field=field, details=exc.details)


#: Chinese reasons for pydantic's error types; {…} are filled from the error's context
REASONS = {
    "missing": "必须填写",
    "extra_forbidden": "不是可提交的字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不能带时间",
    "string_too_long": "不能超过{max_length}个字符",
    "string_too_short": "不能少于{min_length}个字符",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "model_attributes_type": "应为JSON对象",
    "dict_type": "应为JSON对象",
    "list_type": "应为列表",
    "value_error": "{error}",
}
PARAMETER_SOURCES = {"body", "query", "path", "header", "cookie", "payload"}


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0]
    names = [part for part in first["loc"] if isinstance(part, str) and part not in PARAMETER_SOURCES]
    field = names[-1] if names else None
    try:
        reason = REASONS[first["type"]].format(**first.get("ctx", {}))
    except KeyError:
        reason = "格式不正确"
    title = first.get("title") or field
    if field is None:
        where = "请求体"
    elif title and title != field:
        where = f"{title}（{field}）"
    else:
        where = f"字段“{field}”"
    message = f"{where}：{reason}"
    return error_response(request, 422, "validation_error", message, field=field, details={"errors": exc.errors})


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return error_response(request, 401, "not_authenticated", "请先登录")


#: what ninja's own HttpErrors mean here (400: a body that is not JSON)
HTTP_ERRORS = {
    400: ("bad_request", "请求体不是有效的JSON"),
    403: ("permission_denied", "您无权执行该操作"),
    405: ("method_not_allowed", "不支持该请求方法"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", "请求无法处理"))
    return error_response(request, exc.status_code, code, message)


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(request, 404, NotFound.code, "未找到")


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def request_too_large(request, exc):
    """Django will not read a body (or a form's fields, files aside) over DATA_UPLOAD_MAX_MEMORY_SIZE, nor more
    fields or files than its limits: 413, as the pages answer."""
    return domain_error(request, too_large(exc))


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(SuspiciousOperation)
def unreadable_body(request, exc):
    """A multipart body that does not parse, a body cut off, or another request Django will not read."""
    return error_response(request, 400, "bad_request", "请求体格式不正确，无法读取")


@api.exception_handler(DjangoPermissionDenied)
def permission_denied(request, exc):
    return error_response(request, 403, "permission_denied", "您无权执行该操作")


@api.exception_handler(Exception)
def unexpected(request, exc):
    """Logged with its traceback for us; the caller gets no detail of the server's insides."""
    logger.exception("API %s %s failed", request.method, request.path, exc_info=exc)
    return error_response(request, 500, "server_error", "服务器内部错误")
