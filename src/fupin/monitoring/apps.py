from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    verbose_name = _("防返贫监测")

    def ready(self):
        from fupin.policy import actions

        from .codes import CLUE_DECIDERS, CLUE_RECORDERS

        # 系统筛查: policy's flagged list of a monitoring run offers 发起监测 per household and for the ticked ones
        actions.register_flagged_action(
            "monitoring.start",
            _("发起监测"),
            "monitoring:start-from-run",
            kinds={"monitoring"},
            may=lambda user, run: getattr(user, "role", None) in CLUE_RECORDERS,
        )
        # 风险消除: the flagged list of a risk-elimination run offers 启动风险消除 to the township and county
        actions.register_flagged_action(
            "monitoring.eliminate",
            _("启动风险消除"),
            "monitoring:eliminate-from-run",
            kinds={"risk_elimination"},
            may=lambda user, run: getattr(user, "role", None) in CLUE_DECIDERS,
        )

        # a risk found on a cadre's visit (assistance) becomes a clue, through the registry's signal
        from fupin.registry.signals import risk_reported

        from .services.clues import clue_from_risk_report

        risk_reported.connect(clue_from_risk_report, dispatch_uid="monitoring.clue_from_risk_report")

        from fupin.exchange.sheets import register

        from .sheets import DEPARTMENT_SHEETS

        register(*DEPARTMENT_SHEETS.values())  # exchange reads and validates them; services.departments writes
