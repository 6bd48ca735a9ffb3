"""Broken object-level authorization: another admin's program answers 404 on every route."""

from __future__ import annotations

import pytest

from tests.http.conftest import new_admin
from tests.support.http import Client


@pytest.fixture
def victim(api: Client) -> tuple[Client, int]:
    """An admin with a program, a member holding 50 points and one transaction."""
    owner = new_admin(api)
    program = owner.post(
        "/api/loyalty-programs/", {"name": "Private", "tiers": [{"name": "VIP", "threshold": 1}]}
    ).body
    owner.post(
        "/api/point-balances/earn/", {"program_id": program["id"], "user_id": "m", "points": 50}
    )
    return owner, program["id"]


def _state(owner: Client, pid: int) -> tuple:
    return (
        owner.get(f"/api/loyalty-programs/{pid}/").body,
        owner.get(f"/api/point-balances/?program_id={pid}").body,
        owner.get(f"/api/transactions/?program_id={pid}").body,
    )


def test_every_route_hides_another_admins_program(api: Client, victim) -> None:
    owner, pid = victim
    before = _state(owner, pid)
    intruder = new_admin(api)
    attempts = [
        ("GET", f"/api/loyalty-programs/{pid}/", None),
        ("PUT", f"/api/loyalty-programs/{pid}/", {"name": "Mine now"}),
        ("PATCH", f"/api/loyalty-programs/{pid}/", {"tiers": []}),
        ("DELETE", f"/api/loyalty-programs/{pid}/", None),
        ("POST", "/api/point-balances/", {"program_id": pid, "user_id": "spy"}),
        ("GET", f"/api/point-balances/?program_id={pid}&user_id=m", None),
        ("GET", f"/api/point-balances/?program_id={pid}", None),
        ("POST", "/api/point-balances/earn/", {"program_id": pid, "user_id": "m", "points": 10}),
        ("POST", "/api/point-balances/redeem/", {"program_id": pid, "user_id": "m", "points": 10}),
        ("GET", f"/api/transactions/?program_id={pid}", None),
    ]
    for method, path, body in attempts:
        reply = intruder.request(method, path, body)
        assert (reply.status, reply.body["code"]) == (404, "not_found"), (method, path)
    # The intruder's own list does not show it, and the owner's data is untouched
    assert intruder.get("/api/loyalty-programs/").body["results"] == []
    assert _state(owner, pid) == before


def test_a_program_that_never_existed_answers_the_same(api: Client, victim) -> None:
    _, pid = victim
    intruder = new_admin(api)
    foreign = intruder.get(f"/api/loyalty-programs/{pid}/")
    missing = intruder.get(f"/api/loyalty-programs/{pid + 10_000_000}/")
    assert (foreign.status, foreign.body) == (missing.status, missing.body)
