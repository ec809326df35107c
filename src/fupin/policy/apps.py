from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "fupin.policy"
    verbose_name = _("政策标准")

    def ready(self):
        from fupin.registry import panels

        from . import signals  # noqa: F401 - connects the profile upkeep
        from .views import household_panel

        panels.register("policy.assessments", "policy/_household_assessments.html", household_panel)
