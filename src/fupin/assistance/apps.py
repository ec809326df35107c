from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "fupin.assistance"
    verbose_name = _("帮扶")

    def ready(self):
        from . import hooks

        hooks.connect()
