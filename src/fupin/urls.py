from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from fupin.api import api
from fupin.exchange.urls import exports

urlpatterns = [
    path("admin/", admin.site.urls),  # accounts.admin_site: staff only, every admin scoped or superuser-only
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # named without a namespace: settings.LOGIN_URL and LOGOUT_REDIRECT_URL refer to "login"
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("assessments/", include("fupin.policy.urls")),
    path("exchange/", include("fupin.exchange.urls")),
    path("monitoring/", include("fupin.monitoring.urls")),
    path("assistance/", include("fupin.assistance.urls")),
    path("funds/", include("fupin.funds.urls")),
    path("supervision/", include("fupin.supervision.urls")),
    path("", include("fupin.web.urls")),
    path("", include(exports)),
    path("", include("fupin.registry.urls")),  # "/" is the household list: the home page until web has its own
]

# 403 and 404 are Django's views (templates 403.html, 404.html, 403_csrf.html); these two add what Django's lack: the
# request's context and a 413 for a too-large request, and JSON in the one error shape for the API and the reveal
handler400 = "fupin.web.errors.bad_request"
handler500 = "fupin.web.errors.server_error"
