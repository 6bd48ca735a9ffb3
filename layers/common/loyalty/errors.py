"""Domain errors of the loyalty API.

They say what went wrong in the domain's words and carry the facts a client needs; how each
one is answered over HTTP is decided in one place, :mod:`loyalty.problems`.
"""

from __future__ import annotations


class LoyaltyError(Exception):
    """Base of every error the API answers on purpose."""


class InvalidJsonError(LoyaltyError):
    """The body is not JSON, or not a JSON object."""


class FieldError(LoyaltyError):
    """One or more fields of the request are missing, of the wrong type or out of range."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("invalid fields")
        self.errors = errors


class NotAuthenticatedError(LoyaltyError):
    """The request carries no usable ``Authorization`` header."""


class InvalidTokenError(LoyaltyError):
    """The token is unknown, expired or revoked."""


class InvalidCredentialsError(LoyaltyError):
    """Login with a wrong username or password (the two are not told apart)."""


class TooManyAttemptsError(LoyaltyError):
    """Too many failed logins for this username from this client, or overall, just now."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many attempts")
        self.retry_after_seconds = retry_after_seconds


class NotFoundError(LoyaltyError):
    """No such resource, or it belongs to another admin."""


class UsernameTakenError(LoyaltyError):
    """Register with a username already in use, regardless of case."""


class MemberExistsError(LoyaltyError):
    """Enrol a member who is already enrolled."""


class InsufficientPointsError(LoyaltyError):
    """Redeem more points than the balance holds."""

    def __init__(self, balance: int, points: int) -> None:
        super().__init__("insufficient points")
        self.balance = balance
        self.points = points


class IdempotencyInProgressError(LoyaltyError):
    """A request with the same ``Idempotency-Key`` is being processed right now."""


class IdempotencyKeyReusedError(LoyaltyError):
    """The ``Idempotency-Key`` was first used for a different request."""


class DatabaseUnavailableError(LoyaltyError):
    """The database cannot be reached, or dropped the connection in the middle of a request."""
