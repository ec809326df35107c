"""django-axes's axes_reset_ip, refused: see _axes_refused."""

from ._axes_refused import Command  # noqa: F401
