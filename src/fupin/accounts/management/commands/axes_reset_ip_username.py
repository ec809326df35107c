"""django-axes's axes_reset_ip_username, refused: see _axes_refused."""

from ._axes_refused import Command  # noqa: F401
