"""Database round trips per endpoint, counted on the wire by :mod:`tools.bench.wire`.

The layer is pointed at the counting proxy for this pass only (the timings of the other passes
go straight to the server). For each endpoint the connection is dropped first, so that its
first request opens a new one (cold) and the next ones reuse it (warm). The warm runs are
enough to reach psycopg's prepare threshold, where a statement's run also sends its ``PREPARE``
and waits for it: that one run costs a second round trip, once per statement and connection.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from loyalty.db import database
from tools.bench.endpoints import ENDPOINTS, Fixture, check, events, point_layer_at
from tools.bench.wire import RoundTripCounter

WARM_RUNS = 8
SLOW_WARM_RUNS = 2


def measure(fixture: Fixture) -> list[dict[str, Any]]:
    results = []
    with RoundTripCounter.in_front_of(fixture.database_url) as counter:
        point_layer_at(counter.url(fixture.database_url))
        try:
            for endpoint in ENDPOINTS:
                warm_runs = SLOW_WARM_RUNS if endpoint.runs else WARM_RUNS
                database.close()
                counts, connections = [], []
                for event in events(endpoint, fixture, 1 + warm_runs):
                    before, opened = counter.round_trips, counter.connections
                    check(endpoint, endpoint.invoke(event))
                    counts.append(counter.round_trips - before)
                    connections.append(counter.connections - opened)
                warm = counts[1:]
                usual = Counter(warm).most_common(1)[0][0]
                budget = endpoint.round_trip_budget
                results.append(
                    {
                        "endpoint": endpoint.name,
                        "cold": counts[0],
                        "cold_connections": connections[0],
                        "warm": warm,
                        "warm_usual": usual,
                        "warm_max": max(warm),
                        "warm_connections": sum(connections[1:]),
                        "budget": budget,
                        "met": None if budget is None else usual <= budget,
                    }
                )
        finally:
            point_layer_at(fixture.database_url)
    return results
