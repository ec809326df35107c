"""Pages of assistance, one module a topic (views/<topic>.py defines its `urls`), joined here under /assistance/."""

from .views import checks, measures, pairings, people, programmes, visits

app_name = "assistance"

urlpatterns = [*people.urls, *pairings.urls, *measures.urls, *programmes.urls, *visits.urls, *checks.urls]
