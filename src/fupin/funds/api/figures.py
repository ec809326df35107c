"""The funds API of one topic (figures): its router is added in funds/api/__init__.py."""

from ninja import Router

router = Router()
