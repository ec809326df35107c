from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from fupin.api import api

admin.site.site_header = _("扶贫 · 防返贫监测与帮扶管理")
admin.site.site_title = _("扶贫管理后台")
admin.site.index_title = _("基础数据管理")

urlpatterns = [
    path("admin/", admin.site.urls),
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
    path("", include("fupin.web.urls")),
]
