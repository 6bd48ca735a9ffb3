"""``python -m tools.bench``: run every measurement and write ``results.json`` and ``results.md``.

Cold start first (of what ``make build`` made, twice: beside the baseline as a textbook deploy
gives it, and beside the baseline compiled too), before any database of its own runs; then a
throwaway PostgreSQL with production's commit settings (fsync on) for the round trips, the
warm cost and the memory of a worker; then the two writes again on a cluster without fsync,
for comparison; then a load run through the local API. The plot is drawn by
``tools.bench.plot`` in the benchmark's own environment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from tools import load
from tools.bench import cold_start, endpoints, report, round_trips, soak, warm
from tools.stack import Postgres, migrate

WRITES = ("POST /api/point-balances/earn", "POST /api/point-balances/redeem")


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def _database(durable: bool, runs: int) -> Iterator[endpoints.Fixture]:
    cluster = Postgres(prefix="loyalty-bench-pg-", durable=durable)
    try:
        migrate(cluster.url)
        endpoints.point_layer_at(cluster.url)
        # Enough programs and tokens for every delete and logout of both passes.
        yield endpoints.make_fixture(cluster.url, pool_size=2 * (runs + warm.WARMUP) + 50)
    finally:
        endpoints.point_layer_at("")
        cluster.remove()


def _postgres_version(database_url: str) -> str:
    with psycopg.connect(database_url) as connection:
        return str(connection.execute("SHOW server_version").fetchone()[0]).split()[0]


def measure(
    rounds: int, runs: int, load_seconds: float, runtime_python: str, build_dir: Path
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        }
    }
    with tempfile.TemporaryDirectory(prefix="loyalty-bench-") as work:
        _say(f"cold start as deployed: {rounds} rounds")
        results["cold_start"] = cold_start.measure(
            rounds, build_dir, Path(work), python=runtime_python
        )
        _say(f"cold start beside a compiled baseline: {rounds} rounds")
        results["cold_start_compiled"] = cold_start.measure(
            rounds, build_dir, Path(work), python=runtime_python, compiled_baseline=True
        )
    with _database(durable=True, runs=runs) as fixture:
        results["machine"]["postgres"] = _postgres_version(fixture.database_url)
        results["durability"] = "PostgreSQL with fsync on, as in production"
        _say("round trips")
        results["round_trips"] = round_trips.measure(fixture)
        _say(f"warm cost: {runs} runs per endpoint")
        results["warm"] = warm.measure(fixture, runs)
        results["warm_baseline_ms"] = warm.measure_baseline(runs)
        _say("memory of a worker")
        results["memory"] = soak.measure(fixture.database_url, fixture.token, fixture.program_id)
    with _database(durable=False, runs=runs) as fixture:
        _say("warm cost of the writes without fsync")
        results["warm_without_fsync"] = warm.measure(fixture, runs, names=WRITES)
    _say(f"load through the local API: {load_seconds} s")
    with load.local_stack(workers=4) as base_url:
        throughput = load.run(base_url, clients=16, seconds=load_seconds, members=20, seed=1)
    results["throughput"] = throughput.summary()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("bench"))
    parser.add_argument("--rounds", type=int, default=11, help="cold starts per subject")
    parser.add_argument("--runs", type=int, default=warm.RUNS, help="warm runs per endpoint")
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument(
        "--runtime-python",
        default=sys.executable,
        help="interpreter with only what Lambda's runtime has (the cold starts run on it)",
    )
    parser.add_argument(
        "--build-dir", type=Path, required=True, help="what make build made, as Lambda runs it"
    )
    args = parser.parse_args(argv)
    results = measure(
        args.rounds, args.runs, args.load_seconds, args.runtime_python, args.build_dir
    )
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = report.render(results)
    (args.output / "results.md").write_text(markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
