"""Pages of funds, one module a topic (views/<topic>.py defines its `urls`), joined here under /funds/."""

from .views import assets, index, ledger, projects, standards

app_name = "funds"

urlpatterns = [*index.urls, *ledger.urls, *projects.urls, *standards.urls, *assets.urls]
