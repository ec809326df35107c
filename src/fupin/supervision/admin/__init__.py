"""The supervision admin, one module a topic."""

from . import bulletins, checks, problems  # noqa: F401 (each registers its models)
