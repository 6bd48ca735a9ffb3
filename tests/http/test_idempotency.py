"""Exactly-once points through the local API: retries, parallel retries, key scope."""

from __future__ import annotations

import http.client
import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from tests.http.conftest import new_admin
from tests.support.http import Client
from tests.support.ledger import ledger_of


def test_ten_parallel_requests_with_one_key_apply_once(
    admin: Client, program_id: int, database_url: str
) -> None:
    key = str(uuid.uuid4())
    body = {"program_id": program_id, "user_id": "retry", "points": 25}

    def earn():
        return admin.post("/api/point-balances/earn/", body, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(lambda _: earn(), range(10)))
    applied = [reply for reply in replies if reply.status == 200]
    # Each is either the one answer, or told the first is still running
    assert {reply.status for reply in replies} <= {200, 409}
    assert all(
        reply.body["code"] == "idempotency_in_progress" for reply in replies if reply.status == 409
    )
    assert len({reply.body["transaction"]["id"] for reply in applied}) == 1
    # A retry after the storm replays the same answer
    assert earn().body == applied[0].body
    assert ledger_of(database_url, program_id) == {"retry": {"balance": 25, "transactions": 1}}


def test_a_retry_with_the_key_replays_and_another_admins_key_is_theirs(
    api: Client, admin: Client, program_id: int, database_url: str
) -> None:
    key = "checkout-1001"
    body = {"program_id": program_id, "user_id": "c", "points": 9}
    first = admin.post("/api/point-balances/earn", body, headers={"Idempotency-Key": key})
    again = admin.post("/api/point-balances/earn/", body, headers={"Idempotency-Key": key})
    assert (again.status, again.body, again.headers["idempotent-replayed"]) == (
        200,
        first.body,
        "true",
    )
    other = new_admin(api)
    their_program = other.post("/api/loyalty-programs/", {"name": "Theirs"}).body["id"]
    theirs = other.post(
        "/api/point-balances/earn/",
        {"program_id": their_program, "user_id": "c", "points": 9},
        headers={"Idempotency-Key": key},
    )
    assert theirs.status == 200
    assert "idempotent-replayed" not in theirs.headers
    redeem = admin.post("/api/point-balances/redeem/", body, headers={"Idempotency-Key": key})
    assert (redeem.status, redeem.body["code"]) == (422, "idempotency_key_reused")
    assert ledger_of(database_url, program_id) == {"c": {"balance": 9, "transactions": 1}}


def test_a_storm_of_earns_and_redeems_over_hot_members_keeps_the_ledger(
    admin: Client, program_id: int, database_url: str
) -> None:
    members = ["hot-1", "hot-2", "hot-3"]
    for member in members:
        admin.post(
            "/api/point-balances/earn/", {"program_id": program_id, "user_id": member, "points": 50}
        )
    plan = random.Random(7)
    calls = [
        (plan.choice(["earn", "redeem"]), plan.choice(members), plan.randint(1, 40))
        for _ in range(90)
    ]

    def send(call):
        kind, member, points = call
        body = {"program_id": program_id, "user_id": member, "points": points}
        return kind, admin.post(f"/api/point-balances/{kind}/", body)

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(send, calls))
    assert {reply.status for _, reply in outcomes} <= {200, 409}
    applied = sum(1 for _, reply in outcomes if reply.status == 200)
    ledger = ledger_of(database_url, program_id)
    assert sum(entry["transactions"] for entry in ledger.values()) == len(members) + applied


def test_two_idempotency_key_headers_are_refused(admin: Client, program_id: int) -> None:
    url = urlparse(admin.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    body = json.dumps({"program_id": program_id, "user_id": "twice", "points": 5})
    connection.putrequest("POST", "/api/point-balances/earn/")
    for name, value in (
        ("Content-Type", "application/json"),
        ("Authorization", f"Token {admin.token}"),
        ("Idempotency-Key", "dupA"),
        ("Idempotency-Key", "dupB"),
        ("Content-Length", str(len(body))),
    ):
        connection.putheader(name, value)
    connection.endheaders(body.encode())
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert (response.status, answer["code"]) == (400, "validation_error")
    assert [error["field"] for error in answer["errors"]] == ["Idempotency-Key"]
