"""Pages of supervision, one module a topic (views/<topic>.py defines its `urls`), joined here under /supervision/."""

from .views import bulletins, checks, index, problems

app_name = "supervision"

urlpatterns = [*index.urls, *problems.urls, *checks.urls, *bulletins.urls]
