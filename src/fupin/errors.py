"""Typed domain errors. Services raise them; the API turns them into one JSON shape, the UI and CLI into a
plain Chinese message."""


class DomainError(Exception):
    """A refusal the user can act on. `code` is stable for programs, `message` is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class NotFound(DomainError):
    """Missing, or outside the user's area: the two are deliberately indistinguishable."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotAuthenticated(DomainError):
    """No valid session or API token: the API answers 401 and the caller should log in or fix its token."""

    code = "not_authenticated"
    status = 401
