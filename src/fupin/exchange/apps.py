from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "fupin.exchange"
    verbose_name = _("数据导入导出")

    def ready(self):
        """The registry sits below exchange and cannot register its own sheets: exchange does it for it. Apps
        above exchange register theirs in their own ready()."""
        from fupin.registry.sheets import IMPORTED_ONLY, SHEETS

        from .sheets import register

        register(*SHEETS, *IMPORTED_ONLY)
