"""Bodies a careless or hostile client sends: each is a 400 problem document, never a 500."""

from __future__ import annotations

import base64

import pytest

from tests.support.events import load_event
from tests.support.functions import invoke


@pytest.fixture
def body(make_program) -> dict:
    return {"program_id": make_program(), "user_id": "m", "points": 5}


@pytest.mark.parametrize(
    "raw",
    [
        '{"a":' * 5000 + "1" + "}" * 5000,
        "[" * 100_000 + "]" * 100_000,
        '{"program_id": 1, "user_id": "m", "points": 1' + "0" * 5000 + "}",
        "\ud800",
        "",
    ],
    ids=["deep-object", "deep-array", "huge-integer", "lone-surrogate", "empty"],
)
def test_unparseable_bodies_are_invalid_json(token: str, raw: str) -> None:
    answer = invoke("earn_points", load_event("earn-points", token=token, body=raw))
    assert (answer.status, answer.body["code"]) == (400, "invalid_json")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_not_sent_as_json_is_invalid_json(token: str, body: dict, content_type: str) -> None:
    event = load_event(
        "earn-points", token=token, body=body, headers={"Content-Type": content_type}
    )
    answer = invoke("earn_points", event)
    assert (answer.status, answer.body["code"]) == (400, "invalid_json")


@pytest.mark.parametrize(
    "content_type",
    ["APPLICATION/JSON", "application/json; charset=utf-8", "application/merge-patch+json"],
)
def test_json_media_types_are_json_in_any_case(token: str, body: dict, content_type: str) -> None:
    event = load_event(
        "earn-points", token=token, body=body, headers={"Content-Type": content_type}
    )
    assert invoke("earn_points", event).status == 200


def test_a_base64_body_that_is_not_utf8_is_invalid_json(token: str) -> None:
    event = load_event("earn-points", token=token)
    event["body"] = base64.b64encode(b"\xff\xfe{}").decode()
    event["isBase64Encoded"] = True
    answer = invoke("earn_points", event)
    assert (answer.status, answer.body["code"]) == (400, "invalid_json")


def test_a_base64_json_body_is_read(token: str, body: dict) -> None:
    event = load_event("earn-points", token=token)
    event["body"] = base64.b64encode(str(body).replace("'", '"').encode()).decode()
    event["isBase64Encoded"] = True
    assert invoke("earn_points", event).status == 200


def test_thousands_of_unknown_fields_give_a_bounded_answer(token: str, body: dict) -> None:
    flood = {**body, **{f"k{'x' * 500}{i}": i for i in range(5000)}}
    answer = invoke("earn_points", load_event("earn-points", token=token, body=flood))
    assert (answer.status, answer.body["code"]) == (400, "validation_error")
    assert len(answer.body["errors"]) == 20
    assert max(len(error["field"]) for error in answer.body["errors"]) == 100


def test_a_login_with_a_nul_in_the_username_is_a_validation_error() -> None:
    # Found by the fuzzing of tests/http/test_fuzz.py: PostgreSQL's text cannot hold NUL, and
    # the lookup of such a username answered 500.
    body = {"username": "acme\x00coffee", "password": "correct horse battery"}
    answer = invoke("login", load_event("login", body=body))
    assert answer.status == 400
    assert answer.body["code"] == "validation_error"
    assert answer.body["errors"] == [
        {"field": "username", "message": "Value error, must not contain NUL characters"}
    ]
