"""The database stops and starts while requests flow: 503 meanwhile, exactly once after.

These tests own a PostgreSQL cluster and a local API of their own, since they stop the
database under it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_PASSWORD_HASH_COST
from tests.http.conftest import new_admin
from tests.support.http import Client
from tests.support.ledger import ledger_of
from tools.stack import Postgres, migrate, start_local_api, stop_local_api


@pytest.fixture(scope="module")
def cluster() -> Iterator[Postgres]:
    cluster = Postgres(prefix="loyalty-fault-pg-")
    migrate(cluster.url)
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def fault_api(cluster: Postgres) -> Iterator[Client]:
    process, base_url = start_local_api(
        cluster.url, workers=2, parameters=(f"PasswordHashCost={TEST_PASSWORD_HASH_COST}",)
    )
    try:
        yield Client(base_url)
    finally:
        stop_local_api(process)


def _wait_for_health(api: Client, status: int) -> None:
    for _ in range(100):
        if api.get("/api/health/").status == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"health never answered {status}")


def test_a_stopped_database_answers_503_and_a_keyed_retry_applies_once(
    cluster: Postgres, fault_api: Client
) -> None:
    admin = new_admin(fault_api)
    program_id = admin.post("/api/loyalty-programs/", {"name": "Faults"}).body["id"]
    body = {"program_id": program_id, "user_id": "m", "points": 10}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    # Given the database goes away
    cluster.stop()
    try:
        health = fault_api.get("/api/health/")
        earn = admin.post("/api/point-balances/earn/", body, headers=key)
        listing = admin.get("/api/loyalty-programs/")
    finally:
        cluster.start()
    # Then the API answers 503 with Retry-After, never 500
    assert (health.status, health.body) == (
        503,
        {"status": "unavailable", "database": "unavailable"},
    )
    for reply in (earn, listing):
        assert (reply.status, reply.body["code"]) == (503, "service_unavailable")
        assert reply.headers["retry-after"] == "2"
    # And once it is back, the same workers serve again, and the retry is applied once
    _wait_for_health(fault_api, 200)
    applied = admin.post("/api/point-balances/earn/", body, headers=key)
    replayed = admin.post("/api/point-balances/earn/", body, headers=key)
    assert (applied.status, applied.body["balance"]) == (200, 10)
    assert replayed.body == applied.body
    assert ledger_of(cluster.url, program_id) == {"m": {"balance": 10, "transactions": 1}}


def test_requests_flowing_through_a_restart_are_applied_exactly_once(
    cluster: Postgres, fault_api: Client
) -> None:
    admin = new_admin(fault_api)
    program_id = admin.post("/api/loyalty-programs/", {"name": "Restart"}).body["id"]
    statuses: list[int] = []
    applied: dict[str, int] = {}
    stop = threading.Event()

    def client(name: str) -> None:
        # Each request carries its own key and is retried on 503 until it lands, as a
        # well-behaved shop would do.
        for number in range(200):
            if stop.is_set():
                return
            key = f"{name}-{number}"
            body = {"program_id": program_id, "user_id": name, "points": 1}
            for _ in range(100):
                reply = admin.post(
                    "/api/point-balances/earn/", body, headers={"Idempotency-Key": key}
                )
                statuses.append(reply.status)
                if reply.status == 200:
                    applied[key] = reply.body["transaction"]["id"]
                    break
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(f"shop-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    cluster.stop()
    time.sleep(1)
    cluster.start()
    _wait_for_health(fault_api, 200)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    # No answer but success or "retry later"; some requests really met the outage
    assert set(statuses) <= {200, 503}
    assert 503 in statuses
    # Every key that succeeded is exactly one transaction, and nothing else was written
    ledger = ledger_of(cluster.url, program_id)
    assert sum(entry["transactions"] for entry in ledger.values()) == len(applied)
    assert len(set(applied.values())) == len(applied)
