"""The one table that turns errors into RFC 9457 problem documents.

Each domain error maps to a status, a stable ``code`` and a fixed ``detail``; a few details
are filled in from the error's own facts (a balance, a field list). Nothing from an internal
exception's text reaches a client: unexpected faults answer a fixed 500 with the request id.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, NamedTuple

from aws_lambda_powertools.event_handler import Response

from loyalty import errors

PROBLEM_JSON = "application/problem+json"


class Problem(NamedTuple):
    """How one kind of error is answered: its status, stable code and fixed detail."""

    # A named tuple rather than a frozen dataclass: as immutable, and made at import without
    # generating and compiling methods.
    status: int
    code: str
    detail: str


PROBLEMS: dict[type[errors.LoyaltyError], Problem] = {
    errors.InvalidJsonError: Problem(400, "invalid_json", "The body must be a JSON object."),
    errors.FieldError: Problem(400, "validation_error", "Some fields are missing or invalid."),
    errors.NotAuthenticatedError: Problem(
        401, "not_authenticated", "Send the header 'Authorization: Token <token>'."
    ),
    errors.InvalidTokenError: Problem(
        401, "invalid_token", "The token is unknown, expired or revoked."
    ),
    errors.InvalidCredentialsError: Problem(
        401, "invalid_credentials", "The username or password is wrong."
    ),
    errors.NotFoundError: Problem(404, "not_found", "No such resource."),
    errors.TooManyAttemptsError: Problem(
        429, "too_many_attempts", "Too many failed logins; retry after {retry_after} seconds."
    ),
    errors.UsernameTakenError: Problem(409, "username_taken", "That username is already in use."),
    errors.MemberExistsError: Problem(409, "member_exists", "The member is already enrolled."),
    errors.InsufficientPointsError: Problem(
        409, "insufficient_points", "Balance {balance} is less than {points} points."
    ),
    errors.IdempotencyInProgressError: Problem(
        409,
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    ),
    errors.IdempotencyKeyReusedError: Problem(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request.",
    ),
    errors.DatabaseUnavailableError: Problem(
        503, "service_unavailable", "The service is briefly unavailable; retry shortly."
    ),
}

INTERNAL_ERROR = Problem(500, "internal_error", "An unexpected error occurred.")


def problem_response(
    problem: Problem, headers: dict[str, str] | None = None, **fields: Any
) -> Response:
    """The HTTP answer for a problem, with extra members such as ``errors`` or ``balance``."""
    detail = problem.detail.format(**fields)
    body = {
        "type": "about:blank",
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "code": problem.code,
        "detail": detail,
        **fields,
    }
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_JSON,
        body=json.dumps(body, ensure_ascii=False),
        headers=headers,
    )


def error_response(error: errors.LoyaltyError, retry_after_seconds: int) -> Response:
    """The answer for a domain error, from the table above."""
    problem = PROBLEMS[type(error)]
    headers: dict[str, str] = {}
    fields: dict[str, Any] = {}
    if isinstance(error, errors.NotAuthenticatedError):
        headers["WWW-Authenticate"] = 'Token realm="loyalty-api"'
    elif isinstance(error, errors.DatabaseUnavailableError | errors.IdempotencyInProgressError):
        headers["Retry-After"] = str(retry_after_seconds)
    elif isinstance(error, errors.FieldError):
        fields["errors"] = error.errors
    elif isinstance(error, errors.InsufficientPointsError):
        fields.update(balance=error.balance, points=error.points)
    elif isinstance(error, errors.TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after_seconds)
        fields["retry_after"] = error.retry_after_seconds
    return problem_response(problem, headers, **fields)
