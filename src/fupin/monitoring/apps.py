from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    verbose_name = _("防返贫监测")

    def ready(self):
        from fupin.policy import actions

        from .codes import CLUE_RECORDERS

        # 系统筛查: policy's flagged list of a monitoring run offers 发起监测 per household and for the ticked ones
        actions.register_flagged_action(
            "monitoring.start",
            _("发起监测"),
            "monitoring:start-from-run",
            kinds={"monitoring"},
            may=lambda user, run: getattr(user, "role", None) in CLUE_RECORDERS,
        )

        from fupin.exchange.sheets import register

        from .sheets import DEPARTMENT_SHEETS

        register(*DEPARTMENT_SHEETS.values())  # exchange reads and validates them; services.departments writes
