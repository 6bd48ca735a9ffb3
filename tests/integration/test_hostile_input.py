"""Every field of every route against the values a fuzzer sends: a 400 naming it, no change."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.events import load_event, sample_body
from tests.support.functions import invoke

LONG = "x" * 10_000
NOT_STRINGS = [123, 1.5, True, [], {}]
NOT_INTEGERS = ["1", 1.5, True, [], {}, -1, 2**64, 10**30]

# (sample event, function, field, values that must be refused with that field named)
BODY_FIELDS = [
    ("register", "register", "username", [*NOT_STRINGS, None, "", LONG, "a b", "nul\x00"]),
    ("register", "register", "password", [*NOT_STRINGS, None, "short", LONG, "nul\x00 inside"]),
    ("register", "register", "email", [*NOT_STRINGS, "", "no-at-sign", "a@b", LONG]),
    ("login", "login", "username", [*NOT_STRINGS, None, "", LONG]),
    ("login", "login", "password", [*NOT_STRINGS, None, "", LONG]),
    ("create-program", "create_program", "name", [*NOT_STRINGS, None, "", LONG, "tab\there"]),
    ("create-program", "create_program", "description", [*NOT_STRINGS, LONG, "nul\x00"]),
    ("create-program", "create_program", "tier_basis", [*NOT_STRINGS, "", "points", "BALANCE"]),
    ("create-program", "create_program", "tiers", ["gold", 1, {"name": "x"}, [1], [[]]]),
    ("patch-program", "update_program", "name", [*NOT_STRINGS, None, "", LONG]),
    ("patch-program", "update_program", "tiers", [None, "x", [{"name": "", "threshold": 1}]]),
    ("enrol-member", "enrol_member", "program_id", [*NOT_INTEGERS, None, 0]),
    ("enrol-member", "enrol_member", "user_id", [*NOT_STRINGS, None, "", "y" * 256, "a\nb"]),
    ("earn-points", "earn_points", "points", [*NOT_INTEGERS, None, 0, 1_000_000_001]),
    ("earn-points", "earn_points", "reason", [*NOT_STRINGS, LONG, "nul\x00"]),
    ("redeem-points", "redeem_points", "points", [*NOT_INTEGERS, None, 0, -500]),
    ("redeem-points", "redeem_points", "user_id", [*NOT_STRINGS, "\x7f", "\u0085"]),
]

# (sample event, function, parameter, values that must be refused with that parameter named)
QUERY_PARAMETERS = [
    ("list-balances", "get_balances", "program_id", ["", "abc", "-1", "1.5", "9" * 20, "\u0661"]),
    ("get-balance", "get_balances", "user_id", ["", "z" * 256, "a\tb"]),
    ("list-balances", "get_balances", "limit", ["", "0", "201", "ten", "1e2"]),
    ("list-programs", "list_programs", "cursor", ["", "garbage", "\u00e9\u00e9\u00e9"]),
    ("list-transactions", "list_transactions", "type", ["", "gift", "EARN"]),
    ("list-transactions", "list_transactions", "since", ["", "yesterday", "1700000000"]),
    ("list-transactions", "list_transactions", "until", ["2020-01-01T00:00:00", "2020-02-30Z"]),
]


@pytest.fixture
def world(token: str, make_program, database_url: str) -> dict:
    """An admin with a program holding one member with points, and a way to see it all."""
    program_id = make_program(tiers=[{"name": "Gold", "threshold": 10}])
    body = {"program_id": program_id, "user_id": "m", "points": 20}
    assert invoke("earn_points", load_event("earn-points", token=token, body=body)).status == 200

    def snapshot() -> tuple:
        with psycopg.connect(database_url) as connection:
            return connection.execute(
                "SELECT (SELECT count(*) FROM admins),"
                " (SELECT row_to_json(p)::text FROM programs p WHERE id = %(p)s),"
                " (SELECT json_agg(b ORDER BY user_id)::text FROM balances b"
                "  WHERE program_id = %(p)s),"
                " (SELECT count(*) FROM transactions WHERE program_id = %(p)s)",
                {"p": program_id},
            ).fetchone()

    return {"token": token, "program_id": program_id, "snapshot": snapshot}


def _body_for(name: str, world: dict) -> dict:
    body = sample_body(name)
    if "program_id" in body:
        body["program_id"] = world["program_id"]
    if "user_id" in body:
        body["user_id"] = "m"
    return body


@pytest.mark.parametrize(
    ("name", "function", "field", "values"),
    BODY_FIELDS,
    ids=[f"{r[0]}.{r[2]}" for r in BODY_FIELDS],
)
def test_bad_body_fields_are_named_and_change_nothing(
    world: dict, name: str, function: str, field: str, values: list
) -> None:
    before = world["snapshot"]()
    for value in values:
        body = {**_body_for(name, world), field: value}
        in_path = world["program_id"] if name == "patch-program" else None
        event = load_event(name, token=world["token"], body=body, program_id=in_path)
        answer = invoke(function, event)
        assert answer.status == 400, (field, value, answer.body)
        assert answer.body["code"] == "validation_error"
        assert [error["field"].split(".")[0] for error in answer.body["errors"]] == [field], value
    assert world["snapshot"]() == before


@pytest.mark.parametrize(
    ("name", "function", "parameter", "values"),
    QUERY_PARAMETERS,
    ids=[f"{r[0]}.{r[2]}" for r in QUERY_PARAMETERS],
)
def test_bad_query_parameters_are_named(
    world: dict, name: str, function: str, parameter: str, values: list
) -> None:
    base = {"program_id": str(world["program_id"])}
    if name == "get-balance":
        base["user_id"] = "m"
    for value in values:
        event = load_event(name, token=world["token"], query={**base, parameter: value})
        answer = invoke(function, event)
        assert answer.status == 400, (parameter, value, answer.body)
        assert [error["field"] for error in answer.body["errors"]] == [parameter], value


@pytest.mark.parametrize("program_id", ["\u0661", "%F0%9F%98%80", "1e3", "0x10", " 1"])
def test_odd_ids_in_paths_are_not_found(world: dict, program_id: str) -> None:
    for name, function in (("get-program", "get_program"), ("delete-program", "delete_program")):
        event = load_event(name, token=world["token"], program_id=program_id)
        answer = invoke(function, event)
        assert (answer.status, answer.body["code"]) == (404, "not_found")
    assert world["snapshot"]()[1] is not None


@pytest.mark.parametrize(
    "body", [None, "", "[]", "null", '"text"', "{", '{"a": 1}}', "\ufeff{}"], ids=repr
)
def test_bodies_that_are_not_one_json_object_are_invalid_json(world: dict, body) -> None:
    before = world["snapshot"]()
    for name, function in (("earn-points", "earn_points"), ("create-program", "create_program")):
        answer = invoke(function, load_event(name, token=world["token"], body=body))
        assert (answer.status, answer.body["code"]) == (400, "invalid_json"), (name, body)
    assert world["snapshot"]() == before
