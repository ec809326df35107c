"""Typed domain errors. Services raise them; the API turns them into one JSON shape, the UI and CLI into a
plain Chinese message."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.utils.translation import gettext as _

#: why a text with a control or invisible character (NUL, a zero-width space…) is refused: the registry's field
#: rules (registry.values) and the API's bodies (api_common.Input) say it alike
CONTROL_REASON = "含有控制字符或不可见字符（如NUL、零宽空格），请删除后重新录入"


class DomainError(Exception):
    """A refusal the user can act on. `code` is stable for programs, `message` is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(DomainError):
    """Missing, or outside the user's area: the two are deliberately indistinguishable."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotAuthenticated(DomainError):
    """No valid session or API token: the API answers 401 and the caller should log in or fix its token."""

    code = "not_authenticated"
    status = 401


class BadRequest(DomainError):
    """A request that cannot be read: a body that is not JSON, a form that does not parse."""

    code = "bad_request"
    status = 400


class InvalidInput(DomainError):
    """A request value outside what the endpoint takes — the code the API's schema validation answers with."""

    code = "validation_error"
    status = 422


class MethodNotAllowed(DomainError):
    code = "method_not_allowed"
    status = 405

    def __init__(self, method: str, allowed):
        self.allowed = sorted(allowed)
        message = _("不支持该请求方法（%(method)s）：该接口只接受 %(allowed)s") % {
            "method": method,
            "allowed": "、".join(self.allowed),
        }
        super().__init__(message, details={"allowed": self.allowed})


class TooLarge(DomainError):
    """A request Django will not read whole: its body, its form fields or its files are over the settings'
    limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES)."""

    code = "too_large"
    status = 413


def too_large(exc) -> TooLarge | None:
    """The refusal for one of Django's request-size exceptions (None for any other exception), so the API and
    the pages say the same."""
    if isinstance(exc, RequestDataTooBig):
        limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:g} MB"
        return TooLarge(_("提交的内容过大：不能超过 %(limit)s（文件请作为上传文件提交）") % {"limit": limit})
    if isinstance(exc, TooManyFieldsSent):
        return TooLarge(
            _("提交的表单字段过多：不能超过 %(limit)s 个") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        )
    if isinstance(exc, TooManyFilesSent):
        return TooLarge(_("上传的文件过多：不能超过 %(limit)s 个") % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES})
    return None


def error_body(code: str, message: str, *, field: str | None = None, details: dict | None = None) -> dict:
    """The one error shape (documented as api_common.ErrorOut), for the API and for the JSON that the pages'
    scripts call (the reveal endpoint)."""
    return {"error": {"code": code, "message": message, "field": field, "details": details}}


def json_error(error: DomainError, **headers):
    """A refusal as a JSON answer in the one error shape (the pages' script endpoints; the API has its handlers)."""
    body = error_body(error.code, error.message, field=error.field, details=error.details)
    return JsonResponse(body, status=error.status, headers=headers or None, json_dumps_params={"ensure_ascii": False})
