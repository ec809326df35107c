"""The supervision API: one router per topic (api/<topic>.py), joined here and added to the project's API."""

from ninja import Router

from . import bulletins, checks, problems

router = Router()
for topic in (problems, checks, bulletins):
    router.add_router("/", topic.router)
