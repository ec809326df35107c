from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fupin.accounts"
    verbose_name = _("用户与审计")

    def ready(self):
        from . import signals  # noqa: F401  (connects the login audit receivers)
