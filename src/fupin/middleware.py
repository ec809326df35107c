"""The project's own middleware: the language a page is in, and the one error path for pages.

Language selection: Chinese unless the user picked another language with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk whose browser happens to be
set to English would get English pages nobody asked for; here only the language cookie set by /i18n/setlang/
changes the language.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.urls import get_resolver, get_urlconf
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from fupin.core.errors import DomainError, MethodNotAllowed, NotAuthenticated, NotFound, PermissionDenied
from fupin.web.errors import json_error, wants_json


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class DomainErrorMiddleware:
    """The one place a domain refusal that escapes a page's view becomes a response, so views need not catch what
    they cannot answer better: the JSON error shape for a request that wants JSON (web.errors.wants_json), the 404
    page for NotFound (missing and out of area look alike), the 403 page for PermissionDenied, the login page for
    NotAuthenticated, and otherwise the message on the page the user came from. Form views that put a refusal on
    their form still catch it themselves; the API's own exception handlers (fupin.api) answer before this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if wants_json(request):
            headers = {"Allow": ", ".join(exception.allowed)} if isinstance(exception, MethodNotAllowed) else {}
            return json_error(exception, **headers)
        if isinstance(exception, NotFound):
            return _error_page(request, 404, Http404(exception.message))
        if isinstance(exception, PermissionDenied):
            return _error_page(request, 403, DjangoPermissionDenied(exception.message))
        if isinstance(exception, NotAuthenticated):
            return redirect_to_login(request.get_full_path())
        messages.error(request, exception.message)
        return redirect(_back(request))


def _error_page(request, status: int, exception):
    """The project's own 403/404 page: the URLconf's handler, as Django itself would render it."""
    return get_resolver(get_urlconf()).resolve_error_handler(status)(request, exception)


def _back(request) -> str:
    """The page the request came from when it is on this site and not the request itself, else the home page."""
    referer = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if referer and same_site and referer != request.build_absolute_uri():
        return referer
    return resolve_url(settings.LOGIN_REDIRECT_URL)
