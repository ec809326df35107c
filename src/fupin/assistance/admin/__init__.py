"""The assistance admin, one module a topic, scoped like every admin (accounts.admin_scoping)."""

from . import measures, pairings, people, programmes  # noqa: F401  (each module registers its models)
