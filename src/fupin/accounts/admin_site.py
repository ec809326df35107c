"""The admin site: for staff only, and every admin it holds fails closed.

- Users who are not staff get nothing from /admin/: logged in, a plain 404 on every admin URL (no second login
  form telling them there is something here); anonymous, the app's own login page (settings.LOGIN_URL), which
  sends staff back to the admin page they asked for.
- An admin registered by another app (Django's groups, the task queue) that is not a ScopedAdmin is made
  superuser-only: nothing reaches a staff user unless it is scoped by area (accounts.admin_scoping).

Installed in place of "django.contrib.admin" (settings.INSTALLED_APPS: FupinAdminConfig), so `admin.site` and
`@admin.register` everywhere are this site. This module imports no models at import time: it is loaded while the
app registry is being populated.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def redirect_to_login(next_url):
    from django.contrib.auth.views import redirect_to_login  # imports the user model: not while apps load

    return redirect_to_login(next_url)


class FupinAdminSite(admin.AdminSite):
    site_header = _("扶贫 · 防返贫监测与帮扶管理")
    site_title = _("扶贫管理后台")
    index_title = _("基础数据管理")

    def register(self, model_or_iterable, admin_class=None, **options):
        from .admin_scoping import ScopedAdmin, SuperuserOnlyAdmin

        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, (ScopedAdmin, SuperuserOnlyAdmin)):
            admin_class = type(admin_class.__name__, (SuperuserOnlyAdmin, admin_class), {"__module__": __name__})
        return super().register(model_or_iterable, admin_class, **options)

    def _refuse(self, request):
        """Anonymous: the app's login page, coming back here; logged in but not staff: 404."""
        if request.user.is_authenticated:
            raise Http404
        return redirect_to_login(request.get_full_path())

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if not self.has_permission(request):
                return self._refuse(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        if self.has_permission(request):
            return super().login(request, extra_context)
        if request.user.is_authenticated:
            raise Http404
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target)


class FupinAdminConfig(AdminConfig):
    default_site = "fupin.accounts.admin_site.FupinAdminSite"
