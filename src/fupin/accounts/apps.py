from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fupin.accounts"
    verbose_name = _("用户与审计")

    def ready(self):
        from django.core.checks import Tags, register

        from . import checks, signals  # noqa: F401  (signals: connects the login audit receivers)

        register(checks.secret_key, Tags.security)
