from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "fupin.supervision"
    verbose_name = _("督查整改")

    def ready(self):
        from . import hooks

        hooks.connect()
