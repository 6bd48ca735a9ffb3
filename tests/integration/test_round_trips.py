"""Each request costs the round trips it was designed for, counted on the wire.

The layer is pointed at the counting proxy of ``make bench`` (tools/bench/wire.py), in front
of the session's PostgreSQL: an authenticated earn, redeem, read or list is one round trip,
its token check included, and login is two. A new connection adds its handshake once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from loyalty.db import database
from loyalty.settings import get_settings
from tests.integration.conftest import PASSWORD, register_and_login
from tests.support.events import load_event
from tests.support.functions import invoke
from tools.bench.wire import RoundTripCounter


@pytest.fixture
def counter(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoundTripCounter]:
    """The layer's connection goes through a counting proxy, and starts anew."""
    with RoundTripCounter.in_front_of(database_url) as proxy:
        database.close()
        monkeypatch.setenv("DATABASE_URL", proxy.url(database_url))
        get_settings.cache_clear()
        try:
            yield proxy
        finally:
            database.close()
            monkeypatch.undo()
            get_settings.cache_clear()


def _round_trips(counter: RoundTripCounter, function: str, event: dict) -> int:
    before = counter.round_trips
    answer = invoke(function, event)
    assert answer.status in {200, 201}, answer.body
    return counter.round_trips - before


def _handshake(counter: RoundTripCounter, database_url: str) -> int:
    before = counter.round_trips
    with psycopg.connect(counter.url(database_url)):
        return counter.round_trips - before


def test_balance_operations_cost_one_round_trip_each(
    counter: RoundTripCounter, database_url: str, token: str, make_program
) -> None:
    program_id = make_program()
    member = {"program_id": program_id, "user_id": "m"}
    query = {"program_id": str(program_id)}
    handshake = _handshake(counter, database_url)
    # The first request on a new connection pays its handshake, then one round trip
    database.close()
    earn = load_event("earn-points", token=token, body={**member, "points": 50})
    assert _round_trips(counter, "earn_points", earn) == handshake + 1
    # Every later one reuses it: one round trip, token check included
    requests = [
        ("earn_points", load_event("earn-points", token=token, body={**member, "points": 5})),
        ("redeem_points", load_event("redeem-points", token=token, body={**member, "points": 5})),
        ("get_balances", load_event("get-balance", token=token, query={**query, "user_id": "m"})),
        ("get_balances", load_event("list-balances", token=token, query=query)),
        ("list_transactions", load_event("list-transactions", token=token, query=query)),
    ]
    opened = counter.connections
    assert [_round_trips(counter, name, event) for name, event in requests] == [1] * 5
    assert counter.connections == opened


def test_login_costs_two_round_trips(counter: RoundTripCounter, database_url: str) -> None:
    username = f"round-trip-{uuid.uuid4().hex[:12]}"
    register_and_login(username)
    body = {"username": username, "password": PASSWORD}
    handshake = _handshake(counter, database_url)
    database.close()
    assert _round_trips(counter, "login", load_event("login", body=body)) == handshake + 2
    assert _round_trips(counter, "login", load_event("login", body=body)) == 2
