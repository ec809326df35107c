from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "fupin.funds"
    verbose_name = _("资金项目资产")

    def ready(self):
        from . import hooks

        hooks.connect()
