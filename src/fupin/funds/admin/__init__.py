"""The funds admin, one module a topic."""

from . import assets, ledger, projects  # noqa: F401 (each registers its models)
