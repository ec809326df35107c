from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """No models: the app exists for its `demo` command and its place in the layers (top, beside web and api)."""

    name = "fupin.demo"
    verbose_name = _("演示县")
