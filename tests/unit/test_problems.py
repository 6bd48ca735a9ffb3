"""The error table: every domain error answers its contract status, code and headers."""

import json

import pytest

from loyalty import errors
from loyalty.problems import INTERNAL_ERROR, PROBLEMS, error_response, problem_response

CONTRACT = {
    errors.InvalidJsonError: (400, "invalid_json"),
    errors.FieldError: (400, "validation_error"),
    errors.NotAuthenticatedError: (401, "not_authenticated"),
    errors.InvalidTokenError: (401, "invalid_token"),
    errors.InvalidCredentialsError: (401, "invalid_credentials"),
    errors.NotFoundError: (404, "not_found"),
    errors.TooManyAttemptsError: (429, "too_many_attempts"),
    errors.UsernameTakenError: (409, "username_taken"),
    errors.MemberExistsError: (409, "member_exists"),
    errors.InsufficientPointsError: (409, "insufficient_points"),
    errors.IdempotencyInProgressError: (409, "idempotency_in_progress"),
    errors.IdempotencyKeyReusedError: (422, "idempotency_key_reused"),
    errors.DatabaseUnavailableError: (503, "service_unavailable"),
}


def test_the_table_maps_every_domain_error_to_the_contract() -> None:
    assert {kind: (p.status, p.code) for kind, p in PROBLEMS.items()} == CONTRACT


def _body(response) -> dict:
    return json.loads(response.body)


def test_a_problem_is_an_rfc9457_document() -> None:
    response = error_response(errors.NotFoundError("program 7"), retry_after_seconds=2)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert _body(response) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "code": "not_found",
        "detail": "No such resource.",
    }


def test_the_detail_is_fixed_and_never_the_exception_text() -> None:
    response = error_response(errors.NotFoundError("SELECT secret FROM x"), 2)
    assert "SELECT" not in response.body


def test_insufficient_points_carries_the_balance() -> None:
    body = _body(error_response(errors.InsufficientPointsError(balance=40, points=50), 2))
    assert body["detail"] == "Balance 40 is less than 50 points."
    assert (body["balance"], body["points"]) == (40, 50)


def test_not_authenticated_tells_how_to_authenticate() -> None:
    response = error_response(errors.NotAuthenticatedError("none"), 2)
    assert response.headers["WWW-Authenticate"] == 'Token realm="loyalty-api"'


def test_service_unavailable_says_when_to_retry() -> None:
    response = error_response(errors.DatabaseUnavailableError("down"), 7)
    assert (response.status_code, response.headers["Retry-After"]) == (503, "7")


def test_validation_errors_name_each_field() -> None:
    fields = [{"field": "points", "message": "Input should be a valid integer"}]
    body = _body(error_response(errors.FieldError(fields), 2))
    assert body["errors"] == fields


@pytest.mark.parametrize("request_id", ["abc-123"])
def test_an_internal_error_carries_only_the_request_id(request_id: str) -> None:
    body = _body(problem_response(INTERNAL_ERROR, request_id=request_id))
    assert body == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "code": "internal_error",
        "detail": "An unexpected error occurred.",
        "request_id": "abc-123",
    }
