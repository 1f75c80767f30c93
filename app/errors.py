"""Domain errors: raised by services, turned into friendly Chinese copy at the boundary."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `message` is short Simplified Chinese for a resident; `code` is for the API."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429


class Busy(DomainError):
    """Someone else holds the lock (e.g. two devices of one user at the same moment)."""

    code = "busy"
    status = 409
