"""The funds API: one router per topic (api/<topic>.py), joined here and added to the project's API (fupin.api)."""

from ninja import Router

from . import assets, figures, ledger, projects, standards

router = Router()
for topic in (ledger, projects, standards, assets, figures):
    router.add_router("/", topic.router)
