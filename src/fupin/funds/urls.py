"""Pages of funds, one module a topic (views/<topic>.py defines its `urls`), joined here under /funds/."""

app_name = "funds"

urlpatterns = []
