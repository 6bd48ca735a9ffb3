"""Parallel requests through the local API's worker pools never make a balance wrong."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.support.http import Client


def _parallel(count: int, call) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: call(), range(count)))


def _ledger(admin: Client, pid: int, user_id: str) -> list[dict]:
    return admin.get(f"/api/transactions/?program_id={pid}&user_id={user_id}&limit=200").body[
        "results"
    ]


def test_twenty_parallel_redeems_of_the_whole_balance_succeed_once(
    admin: Client, program_id: int
) -> None:
    # Given a balance of 100
    member = {"program_id": program_id, "user_id": "hot"}
    admin.post("/api/point-balances/earn/", {**member, "points": 100})
    # When 20 redeems of 100 arrive at once
    replies = _parallel(
        20, lambda: admin.post("/api/point-balances/redeem/", {**member, "points": 100})
    )
    # Then exactly one succeeds and the others are refused, each with the balance it saw
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200] + [409] * 19
    refused = [reply.body for reply in replies if reply.status == 409]
    assert {body["code"] for body in refused} == {"insufficient_points"}
    assert {body["balance"] for body in refused} == {0}
    # And the balance is 0 with one redeem transaction
    balance = admin.get(f"/api/point-balances/?program_id={program_id}&user_id=hot").body
    assert balance["balance"] == 0
    assert [row["type"] for row in _ledger(admin, program_id, "hot")] == ["redeem", "earn"]


def test_fifty_parallel_earns_lose_no_update(admin: Client, program_id: int) -> None:
    member = {"program_id": program_id, "user_id": "busy"}
    replies = _parallel(
        50, lambda: admin.post("/api/point-balances/earn/", {**member, "points": 3})
    )
    assert [reply.status for reply in replies] == [200] * 50
    balance = admin.get(f"/api/point-balances/?program_id={program_id}&user_id=busy").body
    assert (balance["balance"], balance["lifetime_points"]) == (150, 150)
    ledger = _ledger(admin, program_id, "busy")
    assert len(ledger) == 50
    # Each transaction's balance_after is one step of the chain: 3, 6, ... 150
    assert sorted(row["balance_after"] for row in ledger) == list(range(3, 151, 3))
