"""Warm cost: each handler in process, thousands of times, beside its own SQL run bare.

For every endpoint the handler first runs on its sample event while the layer's statements
are captured (as final SQL text with their parameters). Then the handler and the captured SQL,
run directly on a psycopg connection of its own (autocommit, preparing as the layer does, no
row factory, nothing else), take turns run by run. Turns of one run each matter: a server
process answers sooner when it was woken a moment ago, so SQL run in a tight loop of its own
comes out up to twice as fast as the same SQL once per request; taking turns, both connections
keep the same rhythm, and both see the same moments of a noisy machine. The first runs of each
are not timed: they open the connections, build the route's validation and let psycopg prepare
the statements.

Two more figures explain the ratio: the handler with the database replaced by the captured
answers (its Python alone), and the textbook handler of the cold-start baseline, which has no
database at all (what Powertools with validation costs any handler on its own).
"""

from __future__ import annotations

import copy
import json
import runpy
import statistics
import time
from collections.abc import Callable
from typing import Any

import psycopg

from loyalty.settings import get_settings
from tests.support.functions import LambdaContext
from tools.bench.cold_start import BASELINE
from tools.bench.endpoints import (
    ENDPOINTS,
    Endpoint,
    Fixture,
    captured_statements,
    check,
    database_replaced_by,
    events,
)

RUNS = 2000
WARMUP = 50
# The handler's median may be at most this many times the bare SQL's, for these endpoints.
RATIO_BUDGET = {"POST /api/point-balances/earn": 1.5, "POST /api/point-balances/redeem": 1.5}


def _median_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6


def _timed(call: Callable[[], Any]) -> tuple[int, Any]:
    started = time.perf_counter_ns()
    result = call()
    return time.perf_counter_ns() - started, result


def _python_only(
    endpoint: Endpoint, event: dict, statements: list, warmup: int, runs: int
) -> float:
    context = LambdaContext(endpoint.function)
    samples = [copy.deepcopy(event) for _ in range(warmup + runs)]
    timings = []
    with database_replaced_by(statements):
        for sample in samples:
            elapsed, result = _timed(lambda sample=sample: endpoint.invoke(sample, context))
            check(endpoint, result)
            timings.append(elapsed)
    return _median_ms(timings[warmup:])


def measure_endpoint(endpoint: Endpoint, fixture: Fixture, runs: int) -> dict[str, Any]:
    warmup = 1 if endpoint.runs else WARMUP
    total = warmup + runs
    handler_events = events(endpoint, fixture, total)
    python_event = copy.deepcopy(handler_events[-1])
    with captured_statements() as statements:
        check(endpoint, endpoint.invoke(handler_events[0]))
    bare_runs = [
        [
            (statement.text, endpoint.bare_params(fixture, index, statement.params))
            for index, statement in enumerate(statements)
        ]
        for _ in range(total)
    ]
    context = LambdaContext(endpoint.function)
    threshold = get_settings().db_prepare_threshold or None
    handler_ns: list[int] = []
    bare_ns: list[int] = []
    with psycopg.connect(
        fixture.database_url, autocommit=True, prepare_threshold=threshold
    ) as connection:
        cursor = connection.cursor()

        def run_bare(run: int) -> int:
            started = time.perf_counter_ns()
            for query, params in bare_runs[run]:
                cursor.execute(query, params)
                cursor.fetchall()
            return time.perf_counter_ns() - started

        def run_handler(run: int) -> int:
            elapsed, result = _timed(lambda: endpoint.invoke(handler_events[run], context))
            check(endpoint, result)
            return elapsed

        for run in range(1, warmup):
            run_handler(run)
        for run in range(warmup):
            run_bare(run)
        for run in range(warmup, total):
            handler_ns.append(run_handler(run))
            bare_ns.append(run_bare(run))
    handler, bare = _median_ms(handler_ns), _median_ms(bare_ns)
    budget = RATIO_BUDGET.get(endpoint.name)
    return {
        "endpoint": endpoint.name,
        "function": endpoint.function,
        "runs": runs,
        "statements": len(statements),
        "handler_median_ms": round(handler, 3),
        "bare_sql_median_ms": round(bare, 3),
        "ratio": round(handler / bare, 2),
        "python_only_median_ms": round(
            _python_only(endpoint, python_event, statements, warmup, runs), 3
        ),
        "ratio_budget": budget,
        "met": None if budget is None else handler / bare <= budget,
    }


def measure_baseline(runs: int = RUNS) -> float:
    """Median ms of the textbook handler of ``tools/bench/baseline`` on its own event."""
    handler = runpy.run_path(str(BASELINE / "app.py"))["handler"]
    event = json.loads((BASELINE / "event.json").read_text())
    context = LambdaContext("baseline")
    samples = [copy.deepcopy(event) for _ in range(WARMUP + runs)]
    timings = []
    for sample in samples:
        elapsed, result = _timed(lambda sample=sample: handler(sample, context))
        if result["statusCode"] != 200:
            raise RuntimeError(f"the baseline answered {result['statusCode']}")
        timings.append(elapsed)
    return round(_median_ms(timings[WARMUP:]), 3)


def measure(
    fixture: Fixture, runs: int = RUNS, names: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Every endpoint's warm cost, or only that of the endpoints ``names``."""
    return [
        measure_endpoint(endpoint, fixture, endpoint.runs or runs)
        for endpoint in ENDPOINTS
        if names is None or endpoint.name in names
    ]
