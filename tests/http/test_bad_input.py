"""Bad input gets the contract's 4xx problem document and changes nothing."""

from __future__ import annotations

import pytest

from tests.support.http import Client


@pytest.fixture
def member(admin: Client, program_id: int) -> dict:
    """A member with 100 points."""
    body = {"program_id": program_id, "user_id": "bob", "points": 100}
    assert admin.post("/api/point-balances/earn/", body).status == 200
    return {"program_id": program_id, "user_id": "bob"}


def _balance(admin: Client, member: dict) -> tuple[int, int]:
    reply = admin.get(f"/api/point-balances/?program_id={member['program_id']}&user_id=bob")
    ledger = admin.get(f"/api/transactions/?program_id={member['program_id']}")
    return reply.body["balance"], len(ledger.body["results"])


@pytest.mark.parametrize("route", ["earn", "redeem"])
@pytest.mark.parametrize("points", [-500, 0, "50", 10.5, 10.0, True, None, 1_000_000_001])
def test_bad_points_are_refused_and_change_nothing(
    admin: Client, member: dict, route: str, points: object
) -> None:
    reply = admin.post(f"/api/point-balances/{route}/", {**member, "points": points})
    assert (reply.status, reply.body["code"]) == (400, "validation_error")
    assert [error["field"] for error in reply.body["errors"]] == ["points"]
    assert reply.headers["content-type"] == "application/problem+json"
    assert _balance(admin, member) == (100, 1)


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1, 2]", b'"text"', b"42", b"null", b"", b'{"a": 1'], ids=repr
)
def test_a_body_that_is_not_a_json_object_is_invalid_json(
    admin: Client, member: dict, raw: bytes
) -> None:
    reply = admin.request("POST", "/api/point-balances/earn/", raw=raw)
    assert (reply.status, reply.body["code"]) == (400, "invalid_json")
    assert _balance(admin, member) == (100, 1)


def test_a_field_the_contract_does_not_allow_is_refused(admin: Client, member: dict) -> None:
    reply = admin.post("/api/point-balances/earn/", {**member, "points": 5, "balance": 10**6})
    assert [error["field"] for error in reply.body["errors"]] == ["balance"]
    assert _balance(admin, member) == (100, 1)


def test_every_field_error_is_named(admin: Client) -> None:
    reply = admin.post("/api/point-balances/earn/", {"user_id": "", "points": "x"})
    assert reply.status == 400
    assert sorted(error["field"] for error in reply.body["errors"]) == [
        "points",
        "program_id",
        "user_id",
    ]
    assert all(error["message"] for error in reply.body["errors"])


def test_a_token_used_after_logout_is_invalid(admin: Client, member: dict) -> None:
    assert admin.post("/api/logout/").status == 200
    reply = admin.post("/api/point-balances/earn/", {**member, "points": 5})
    assert (reply.status, reply.body["code"]) == (401, "invalid_token")


def test_an_unknown_token_is_invalid(api: Client) -> None:
    reply = api.with_token("x" * 43).get("/api/loyalty-programs/")
    assert (reply.status, reply.body["code"]) == (401, "invalid_token")


def test_register_validates_and_refuses_a_taken_name_in_any_case(api: Client) -> None:
    reply = api.post("/api/register/", {"username": "bad name", "password": "short"})
    assert sorted(error["field"] for error in reply.body["errors"]) == ["password", "username"]
    api.post("/api/register/", {"username": "Case-Owner-1", "password": "long enough"})
    again = api.post("/api/register/", {"username": "case-owner-1", "password": "long enough"})
    assert (again.status, again.body["code"]) == (409, "username_taken")


def test_login_answers_the_same_for_an_unknown_user_and_a_wrong_password(api: Client) -> None:
    api.post("/api/register/", {"username": "login-probe", "password": "right password"})
    wrong = api.post("/api/login/", {"username": "login-probe", "password": "wrong password"})
    unknown = api.post("/api/login/", {"username": "nobody-here", "password": "wrong password"})
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body
    assert wrong.body["code"] == "invalid_credentials"


def test_errors_never_leak_internals(admin: Client) -> None:
    reply = admin.post(
        "/api/point-balances/earn/", {"program_id": 2**63 - 1, "user_id": "u", "points": 1}
    )
    assert (reply.status, reply.body["code"]) == (404, "not_found")
    assert set(reply.body) == {"type", "title", "status", "code", "detail"}
