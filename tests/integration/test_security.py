"""Password guessing is slowed down, answers carry security headers, CORS is as configured."""

from __future__ import annotations

import uuid

import pytest

from loyalty.api import create_app, lambda_handler
from loyalty.settings import get_settings
from tests.integration.conftest import PASSWORD
from tests.support.events import load_event
from tests.support.functions import LambdaContext, invoke


def _login(username: str, password: str, source: str):
    event = load_event("login", body={"username": username, "password": password})
    event["requestContext"]["identity"]["sourceIp"] = source
    return invoke("login", event)


@pytest.fixture
def username() -> str:
    name = f"target-{uuid.uuid4().hex[:10]}"
    body = {"username": name, "password": PASSWORD}
    assert invoke("register", load_event("register", body=body)).status == 201
    return name


def test_repeated_failures_from_one_address_are_slowed_down(username: str) -> None:
    for _ in range(5):
        assert _login(username, "wrong password", "198.51.100.7").status == 401
    # The right password from that address now waits too, and learns for how long
    blocked = _login(username, PASSWORD, "198.51.100.7")
    assert (blocked.status, blocked.body["code"]) == (429, "too_many_attempts")
    assert blocked.headers["retry-after"] == str(blocked.body["retry_after"])
    assert 1 <= blocked.body["retry_after"] <= 30
    # The real admin, from another address, is not locked out
    assert _login(username, PASSWORD, "203.0.113.20").status == 200


def test_a_success_clears_the_failures_of_its_address(username: str) -> None:
    for _ in range(4):
        _login(username, "wrong password", "198.51.100.8")
    assert _login(username, PASSWORD, "198.51.100.8").status == 200
    for _ in range(4):
        assert _login(username, "wrong password", "198.51.100.8").status == 401
    assert _login(username, PASSWORD, "198.51.100.8").status == 200


def test_an_unknown_username_is_throttled_alike_so_answers_tell_nothing() -> None:
    ghost = f"ghost-{uuid.uuid4().hex[:10]}"
    answers = [_login(ghost, "any password", "198.51.100.9") for _ in range(6)]
    assert [answer.status for answer in answers] == [401] * 5 + [429]


def test_many_addresses_together_trigger_a_short_lockout_for_all(username: str) -> None:
    # Fifty failures spread over addresses that each stay under their own limit
    for number in range(50):
        assert _login(username, "wrong", f"192.0.2.{number % 25}").status == 401
    blocked = _login(username, PASSWORD, "203.0.113.99")
    assert (blocked.status, blocked.body["code"]) == (429, "too_many_attempts")
    # ... but only for the base lockout, not for long
    assert blocked.body["retry_after"] <= get_settings().login_lockout_seconds


@pytest.mark.parametrize("name", ["health", "login", "list-programs"])
def test_every_answer_carries_the_security_headers(token: str, name: str) -> None:
    function = name.replace("-", "_")
    for event in (load_event(name, token=token), load_event(name, token="x" * 43)):
        answer = invoke(function, event)
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_query_parameter_given_twice_is_refused(token: str) -> None:
    event = load_event("list-transactions", token=token)
    event["multiValueQueryStringParameters"] = {"program_id": ["1", "2"]}
    answer = invoke("list_transactions", event)
    assert (answer.status, answer.body["code"]) == (400, "validation_error")
    assert answer.body["errors"] == [
        {"field": "program_id", "message": "must be given at most once"}
    ]


def test_cors_answers_only_the_configured_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function whose cold start read two allowed origins
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://shop.example, https://app.example")
    get_settings.cache_clear()
    try:
        app = create_app()

        @app.get("/api/health")
        def health() -> dict:
            return {"status": "ok"}

        handler = lambda_handler(app)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    def origin_answer(origin: str, query: dict[str, list[str]] | None = None) -> dict:
        event = load_event("health", headers={"Origin": origin})
        event["multiValueQueryStringParameters"] = query
        result = handler(event, LambdaContext())
        headers = {key.lower(): value for key, value in result["multiValueHeaders"].items()}
        return {"status": result["statusCode"], **headers}

    # Then an allowed origin gets the CORS headers, another does not
    assert origin_answer("https://app.example")["access-control-allow-origin"] == [
        "https://app.example"
    ]
    assert "access-control-allow-origin" not in origin_answer("https://evil.example")
    # And so does a request refused before the resolver (a parameter given twice)
    refused = origin_answer("https://shop.example", {"x": ["1", "2"]})
    assert refused["status"] == 400
    assert refused["access-control-allow-origin"] == ["https://shop.example"]
    assert refused["access-control-expose-headers"] == [
        "Retry-After,Idempotent-Replayed,WWW-Authenticate"
    ]
    assert "access-control-allow-origin" not in origin_answer("https://evil.example", {"x": []})


def test_an_idempotency_key_given_twice_is_refused(token: str, make_program) -> None:
    body = {"program_id": make_program(), "user_id": "m", "points": 5}
    event = load_event("earn-points", token=token, body=body)
    event["headers"]["Idempotency-Key"] = "dupA,dupB"
    event["multiValueHeaders"]["Idempotency-Key"] = ["dupA", "dupB"]
    answer = invoke("earn_points", event)
    assert (answer.status, answer.body["code"]) == (400, "validation_error")
    assert answer.body["errors"] == [
        {"field": "Idempotency-Key", "message": "must be given at most once"}
    ]


def test_an_idempotency_key_given_twice_in_two_spellings_is_refused(
    token: str, make_program
) -> None:
    body = {"program_id": make_program(), "user_id": "m", "points": 5}
    event = load_event("earn-points", token=token, body=body)
    event["multiValueHeaders"]["Idempotency-Key"] = ["dupA"]
    event["multiValueHeaders"]["idempotency-key"] = ["dupB"]
    answer = invoke("earn_points", event)
    assert (answer.status, answer.body["code"]) == (400, "validation_error")
    assert answer.body["errors"] == [
        {"field": "Idempotency-Key", "message": "must be given at most once"}
    ]


def test_an_authorization_header_given_twice_is_refused(token: str, make_program) -> None:
    body = {"program_id": make_program(), "user_id": "m", "points": 5}
    event = load_event("earn-points", token=token, body=body)
    event["multiValueHeaders"]["Authorization"] = [f"Token {token}", "Token someone-else"]
    answer = invoke("earn_points", event)
    assert (answer.status, answer.body["code"]) == (400, "validation_error")
    assert answer.body["errors"] == [
        {"field": "Authorization", "message": "must be given at most once"}
    ]
