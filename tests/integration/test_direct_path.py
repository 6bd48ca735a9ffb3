"""Earn and redeem answer well-formed requests without the resolver (loyalty.direct), and
those answers are the resolver's own, byte for byte; everything else still goes to it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from loyalty.api import lambda_handler
from loyalty.db import Database
from tests.support.events import load_event
from tests.support.functions import LambdaContext, function_module

OPERATIONS = ["earn", "redeem"]

Handler = Callable[[dict, Any], dict]


def _function(operation: str) -> str:
    return f"{operation}_points"


def _direct(operation: str) -> Handler:
    """The function's own handler, direct path included."""
    return function_module(_function(operation)).handler


def _resolver_only(operation: str) -> Handler:
    """The same function's routes behind the resolver alone, as before the direct path."""
    return lambda_handler(function_module(_function(operation)).app)


def _call(handler: Handler, operation: str, event: dict) -> dict:
    return handler(event, LambdaContext(_function(operation)))


def _event(operation: str, token: str, body: Any, **headers: str) -> dict:
    return load_event(f"{operation}-points", token=token, body=body, headers=headers or None)


@pytest.fixture
def resolver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions whose resolver answered a request meanwhile."""
    calls: list[str] = []
    for operation in OPERATIONS:
        app = function_module(_function(operation)).app
        original = app.resolve

        def spy(event: dict, context: Any, original=original, operation=operation) -> dict:
            calls.append(operation)
            return original(event, context)

        monkeypatch.setattr(app, "resolve", spy)
    return calls


@pytest.fixture
def member(token: str, make_program) -> dict:
    """A member with 100 points in a program with a Gold tier at 150."""
    program_id = make_program(tiers=[{"name": "Gold", "threshold": 150}])
    body = {"program_id": program_id, "user_id": "m", "points": 100}
    assert _call(_direct("earn"), "earn", _event("earn", token, body))["statusCode"] == 200
    return {"program_id": program_id, "user_id": "m"}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_well_formed_request_is_answered_without_the_resolver(
    operation: str, token: str, member: dict, resolver_calls: list[str]
) -> None:
    # When a well-formed earn or redeem comes, with and without a key
    for headers in ({}, {"Idempotency-Key": f"direct-{uuid.uuid4()}"}):
        event = _event(operation, token, {**member, "points": 10}, **headers)
        result = _call(_direct(operation), operation, event)
        # Then it is applied and answered, and the resolver never saw it
        assert result["statusCode"] == 200, result["body"]
    assert json.loads(result["body"])["balance"] == (120 if operation == "earn" else 80)
    assert resolver_calls == []


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("case", "body", "headers"),
    [
        ("body not JSON", "{", {}),
        ("body not an object", "[1]", {}),
        ("a field wrong", {"points": "ten"}, {}),
        ("an unknown field", {"balance": 5}, {}),
        ("a bad key", {}, {"Idempotency-Key": "a,b"}),
        ("a browser's request", {}, {"Origin": "https://shop.example"}),
        ("not sent as JSON", {}, {"Content-Type": "text/plain"}),
    ],
)
def test_any_other_request_is_left_to_the_resolver(
    operation: str,
    case: str,
    body: Any,
    headers: dict[str, str],
    token: str,
    member: dict,
    resolver_calls: list[str],
) -> None:
    # Given a request that is not plainly well formed
    sent = body if isinstance(body, str) else {**member, "points": 5, **body}
    event = _event(operation, token, sent, **headers)
    # When it comes, then the resolver answers it
    _call(_direct(operation), operation, event)
    assert resolver_calls == [operation], case


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("another method", {"httpMethod": "PUT"}),
        ("another path", {"path": "/api/point-balances/"}),
        ("no single-value headers", {"headers": None}),
    ],
)
def test_an_event_of_another_shape_is_left_to_the_resolver(
    operation: str,
    case: str,
    change: dict[str, Any],
    token: str,
    member: dict,
    resolver_calls: list[str],
) -> None:
    # Given a well-formed body in an event that is not plainly this route's request
    event = {**_event(operation, token, {**member, "points": 5}), **change}
    # When it comes, then the resolver answers it
    _call(_direct(operation), operation, event)
    assert resolver_calls == [operation], case


def _both(operation: str, event: dict) -> tuple[dict, dict]:
    """The direct answer and the resolver's to the same event, in that order."""
    direct = _call(_direct(operation), operation, json.loads(json.dumps(event)))
    resolver = _call(_resolver_only(operation), operation, event)
    return direct, resolver


@pytest.mark.parametrize("operation", OPERATIONS)
def test_refusals_are_the_resolvers_byte_for_byte(
    operation: str, token: str, member: dict, make_program
) -> None:
    empty_program = make_program()
    cases = {
        "no token": _event(operation, "", {**member, "points": 5}),
        "unknown token": _event(operation, "not-a-token", {**member, "points": 5}),
        "unknown program": _event(operation, token, {**member, "program_id": 10**12, "points": 5}),
    }
    if operation == "redeem":
        cases["not enrolled"] = _event(
            operation, token, {"program_id": empty_program, "user_id": "x", "points": 5}
        )
        cases["too few points"] = _event(operation, token, {**member, "points": 101})
    for case, event in cases.items():
        direct, resolver = _both(operation, event)
        assert direct == resolver, case
        assert direct["statusCode"] in {401, 404, 409}, case


@pytest.mark.parametrize("operation", OPERATIONS)
def test_idempotent_answers_are_the_resolvers_byte_for_byte(
    operation: str, token: str, member: dict
) -> None:
    # Given a change applied with a key
    key = f"direct-{uuid.uuid4()}"
    body = {**member, "points": 7}
    first = _call(
        _direct(operation), operation, _event(operation, token, body, **{"Idempotency-Key": key})
    )
    assert first["statusCode"] == 200
    # When it is retried, and the key reused for another request, through both paths
    replay = _both(operation, _event(operation, token, body, **{"Idempotency-Key": key}))
    reused = _both(
        operation, _event(operation, token, {**body, "points": 8}, **{"Idempotency-Key": key})
    )
    # Then both paths answer alike: the stored answer, then 422
    assert replay[0] == replay[1]
    assert replay[0]["multiValueHeaders"]["Idempotent-Replayed"] == ["true"]
    assert json.loads(replay[0]["body"]) == json.loads(first["body"])
    assert reused[0] == reused[1]
    assert json.loads(reused[0]["body"])["code"] == "idempotency_key_reused"


def _without_instance(result: dict) -> dict:
    """An answer with what differs between two applied changes (ids, times, member) masked."""
    body = json.loads(result["body"])
    for part in (body, body["transaction"]):
        for name in ("id", "user_id", "created_at", "updated_at"):
            if name in part:
                part[name] = "*"
    return {**result, "body": body}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_applied_change_is_answered_as_the_resolver_answers_it(
    operation: str, token: str, make_program
) -> None:
    # Given two members alike, with 100 points each
    program_id = make_program(tiers=[{"name": "Gold", "threshold": 150}])
    twins = [{"program_id": program_id, "user_id": name} for name in ("twin-a", "twin-b")]
    for twin in twins:
        earned = _call(_direct("earn"), "earn", _event("earn", token, {**twin, "points": 100}))
        assert earned["statusCode"] == 200
    # When the same change is applied to one directly, to the other through the resolver
    body = {"points": 60, "reason": "visit"}
    direct = _call(_direct(operation), operation, _event(operation, token, {**twins[0], **body}))
    resolver = _call(
        _resolver_only(operation), operation, _event(operation, token, {**twins[1], **body})
    )
    # Then the answers are the same but for ids, times and the member
    assert _without_instance(direct) == _without_instance(resolver)
    assert json.loads(direct["body"])["balance"] == (160 if operation == "earn" else 40)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_fault_is_answered_as_the_resolver_answers_it(
    operation: str, token: str, member: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a database call that fails in a way nobody planned for
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Database, "fetch_all", broken)
    # When a well-formed request comes, then both paths answer the same 500 with the request id
    direct, resolver = _both(operation, _event(operation, token, {**member, "points": 5}))
    assert direct == resolver
    assert direct["statusCode"] == 500
    assert json.loads(direct["body"])["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


@pytest.mark.parametrize(
    ("where", "keyed"),
    [("multiValueHeaders", True), ("headers", False)],
)
def test_the_key_is_read_where_the_resolver_reads_it(
    where: str, keyed: bool, token: str, member: dict
) -> None:
    # Given an event whose key is in one of its two header maps only (the resolver reads
    # the multi-value one whenever the event has it)
    event = _event("earn", token, {**member, "points": 3})
    key = f"direct-{uuid.uuid4()}"
    event[where]["Idempotency-Key"] = [key] if where == "multiValueHeaders" else key
    # When it is sent twice directly, then once more through the resolver alone
    answers = [
        _call(_direct("earn"), "earn", json.loads(json.dumps(event))),
        _call(_direct("earn"), "earn", json.loads(json.dumps(event))),
        _call(_resolver_only("earn"), "earn", json.loads(json.dumps(event))),
    ]
    # Then both paths use the key, or both ignore it
    balances = [json.loads(answer["body"])["balance"] for answer in answers]
    replayed = ["Idempotent-Replayed" in answer["multiValueHeaders"] for answer in answers]
    assert (balances, replayed) == (
        ([103, 103, 103], [False, True, True]) if keyed else ([103, 106, 109], [False] * 3)
    )
