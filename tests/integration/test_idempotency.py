"""Idempotency-Key on earn and redeem, through the handlers against a real PostgreSQL."""

from __future__ import annotations

import json
import threading
import uuid

import psycopg
import pytest

from tests.integration.conftest import PASSWORD, register_and_login
from tests.support.events import load_event
from tests.support.functions import invoke


@pytest.fixture
def member(token: str, make_program) -> dict:
    """A member with 100 points."""
    program_id = make_program(tiers=[{"name": "Gold", "threshold": 150}])
    body = {"program_id": program_id, "user_id": "m", "points": 100}
    assert invoke("earn_points", load_event("earn-points", token=token, body=body)).status == 200
    return {"program_id": program_id, "user_id": "m"}


def _send(name: str, token: str, body: object, key: str | None):
    headers = {"Idempotency-Key": key} if key is not None else None
    return invoke(
        f"{name}_points", load_event(f"{name}-points", token=token, body=body, headers=headers)
    )


def _ledger(database_url: str, member: dict) -> tuple:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT b.balance, count(t.id) FROM balances b JOIN transactions t"
            " ON t.program_id = b.program_id AND t.user_id = b.user_id"
            " WHERE b.program_id = %(program_id)s AND b.user_id = %(user_id)s GROUP BY b.balance",
            member,
        ).fetchone()


@pytest.mark.parametrize("name", ["earn", "redeem"])
def test_a_retry_answers_the_first_answer_and_changes_nothing(
    token: str, member: dict, database_url: str, name: str
) -> None:
    key = f"order-{uuid.uuid4()}"
    body = {**member, "points": 40, "reason": "order 7"}
    first = _send(name, token, body, key)
    assert first.status == 200
    assert first.body["transaction"]["idempotency_key"] == key
    assert "idempotent-replayed" not in first.headers
    # The same meaning, written with other key order and spacing
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=4)
    retry = _send(name, token, reordered, key)
    assert (retry.status, retry.body) == (200, first.body)
    assert retry.headers["idempotent-replayed"] == "true"
    expected_balance = 140 if name == "earn" else 60
    assert _ledger(database_url, member) == (expected_balance, 2)


def test_a_replay_is_the_first_answer_even_after_the_program_changed(
    token: str, member: dict
) -> None:
    key = str(uuid.uuid4())
    first = _send("earn", token, {**member, "points": 60}, key)
    assert first.body["tier"] == "Gold"
    invoke(
        "update_program",
        load_event(
            "patch-program", token=token, program_id=member["program_id"], body={"tiers": []}
        ),
    )
    assert _send("earn", token, {**member, "points": 60}, key).body == first.body


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("earn", {"points": 41}),
        ("earn", {"reason": "another"}),
        ("earn", {"user_id": "someone-else"}),
        ("redeem", {}),
    ],
)
def test_the_same_key_with_another_request_is_refused(
    token: str, member: dict, database_url: str, name: str, body: dict
) -> None:
    key = str(uuid.uuid4())
    assert _send("earn", token, {**member, "points": 40}, key).status == 200
    reused = _send(name, token, {**member, "points": 40, **body}, key)
    assert (reused.status, reused.body["code"]) == (422, "idempotency_key_reused")
    assert _ledger(database_url, member) == (140, 2)


def test_keys_belong_to_the_admin_not_the_token_and_not_other_admins(
    member: dict, token: str, database_url: str
) -> None:
    # Another token of the same admin is the same client: the key replays
    with psycopg.connect(database_url) as connection:
        (username,) = connection.execute(
            "SELECT a.username FROM admins a JOIN programs p ON p.owner_id = a.id WHERE p.id = %s",
            [member["program_id"]],
        ).fetchone()
    second_token = invoke(
        "login", load_event("login", body={"username": username, "password": PASSWORD})
    ).body["token"]
    key = "shared-key-string"
    first = _send("earn", token, {**member, "points": 5}, key)
    again = _send("earn", second_token, {**member, "points": 5}, key)
    assert (again.status, again.body) == (200, first.body)
    # Another admin using the same string is unaffected
    stranger = register_and_login()
    program = invoke("create_program", load_event("create-program", token=stranger)).body["id"]
    theirs = _send("earn", stranger, {"program_id": program, "user_id": "m", "points": 5}, key)
    assert theirs.status == 200
    assert theirs.body["transaction"]["id"] != first.body["transaction"]["id"]
    assert _ledger(database_url, member) == (105, 2)


def test_a_failed_request_leaves_the_key_free(token: str, member: dict) -> None:
    key = str(uuid.uuid4())
    too_much = _send("redeem", token, {**member, "points": 150}, key)
    assert (too_much.status, too_much.body["code"]) == (409, "insufficient_points")
    invalid = _send("redeem", token, {**member, "points": "150"}, key)
    assert invalid.status == 400
    # After the cause is fixed, the same key succeeds
    _send("earn", token, {**member, "points": 50}, None)
    fixed = _send("redeem", token, {**member, "points": 150}, key)
    assert (fixed.status, fixed.body["balance"]) == (200, 0)


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey", "ключ"])
def test_a_malformed_key_is_a_validation_error(token: str, member: dict, key: str) -> None:
    answer = _send("earn", token, {**member, "points": 5}, key)
    assert answer.status == 400
    assert [error["field"] for error in answer.body["errors"]] == ["Idempotency-Key"]


def test_without_a_key_every_request_is_applied(
    token: str, member: dict, database_url: str
) -> None:
    for _ in range(2):
        assert _send("earn", token, {**member, "points": 5}, None).status == 200
    assert _ledger(database_url, member) == (110, 3)


def test_a_key_in_use_by_a_running_request_is_in_progress(
    token: str, member: dict, database_url: str
) -> None:
    # Given a first request with the key, stuck behind a lock on the member's row
    key = str(uuid.uuid4())
    body = {**member, "points": 10}
    answers = []
    with psycopg.connect(database_url) as blocker:
        blocker.execute(
            "SELECT 1 FROM balances WHERE program_id = %(program_id)s FOR UPDATE", member
        )
        first = threading.Thread(target=lambda: answers.append(_send("earn", token, body, key)))
        first.start()
        with psycopg.connect(database_url, autocommit=True) as watcher:
            _wait_until_waiting(watcher)
        # When a retry arrives meanwhile, then it is told to come back
        retry = _send("earn", token, body, key)
        assert (retry.status, retry.body["code"]) == (409, "idempotency_in_progress")
        assert retry.headers["retry-after"] == "2"
        blocker.rollback()
        first.join(timeout=30)
    # And once the first is done, the retry replays it
    assert answers[0].status == 200
    assert _send("earn", token, body, key).body == answers[0].body
    assert _ledger(database_url, member) == (110, 2)


def _wait_until_waiting(watcher: psycopg.Connection) -> None:
    for _ in range(500):
        if watcher.execute(
            "SELECT 1 FROM pg_stat_activity"
            " WHERE application_name = 'loyalty-api' AND wait_event_type = 'Lock'"
        ).fetchone():
            return
        watcher.execute("SELECT pg_sleep(0.01)")
    raise AssertionError("the first request never waited on the lock")
