from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    verbose_name = _("防返贫监测")

    def ready(self):
        from fupin.exchange.sheets import register

        from .sheets import DEPARTMENT_SHEETS

        register(*DEPARTMENT_SHEETS.values())  # exchange reads and validates them; services.departments writes
