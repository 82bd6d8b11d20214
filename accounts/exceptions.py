"""Domain errors. The API maps them to 400/403/409 with a clear ``detail``."""


class DomainError(Exception):
    """A rule of the exchange refused the operation."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.errors = {key: str(value) for key, value in (errors or {}).items()}


class InvalidTransition(DomainError):
    """The object's current state does not allow this move."""

    status_code = 409


class NotAllowed(DomainError):
    """The acting person or organisation may not do this."""

    status_code = 403
