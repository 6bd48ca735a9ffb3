"""A load run: concurrent clients for a fixed time, then a check of the ledger.

``python -m tools.load`` starts a throwaway stack (PostgreSQL and the local API, as ``make
run`` serves it) unless ``--base-url`` names a running API. It registers an admin, makes a
program, and lets ``--clients`` threads send a mix of earns, redeems (both with a fresh
``Idempotency-Key``) and balance reads over ``--members`` members for ``--seconds``. It prints
requests per second, latency percentiles and the errors, then reads every balance and every
transaction back through the API and checks that each balance is its earned minus redeemed
points, never negative, and that each applied write left exactly one transaction. The exit
status is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from tools.stack import Postgres, migrate, start_local_api, stop_local_api

# Answers a well-behaved client can get in this mix: a read of a member not enrolled yet
# (404) and a redeem above the balance (409) are part of the game, not failures.
EXPECTED = {"earn": {200}, "redeem": {200, 404, 409}, "read": {200, 404}}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)
    applied: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)


def exchange(
    base_url: str, method: str, path: str, body: Any = None, headers=None
) -> tuple[int, Any, Message]:
    """The status, JSON body and headers of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base_url + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), error.headers


def call(base_url: str, method: str, path: str, body: Any = None, headers=None) -> tuple[int, Any]:
    status, answer, _ = exchange(base_url, method, path, body, headers)
    return status, answer


def set_up(base_url: str) -> tuple[dict[str, str], int]:
    username, password = f"load-{uuid.uuid4().hex[:10]}", "load test password"
    call(base_url, "POST", "/api/register/", {"username": username, "password": password})
    _, login = call(base_url, "POST", "/api/login/", {"username": username, "password": password})
    auth = {"Authorization": f"Token {login['token']}"}
    _, program = call(base_url, "POST", "/api/loyalty-programs/", {"name": "Load"}, auth)
    return auth, program["id"]


def client(
    base_url: str,
    auth,
    program_id: int,
    members,
    until: float,
    seed: int,
    tally: Tally,
    expected: dict[str, set[int]] = EXPECTED,
):
    """Send the mix until ``until``; a 503 must say when to retry, whatever else is expected."""
    rng = random.Random(seed)
    while time.monotonic() < until:
        member = rng.choice(members)
        kind = rng.choices(["earn", "redeem", "read"], weights=[45, 35, 20])[0]
        started = time.perf_counter()
        if kind == "read":
            path = f"/api/point-balances/?program_id={program_id}&user_id={member}"
            status, _, answered = exchange(base_url, "GET", path, headers=auth)
        else:
            body = {"program_id": program_id, "user_id": member, "points": rng.randint(1, 100)}
            headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
            status, _, answered = exchange(
                base_url, "POST", f"/api/point-balances/{kind}/", body, headers
            )
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.latencies.append(elapsed)
            tally.statuses[status] += 1
            if status not in expected[kind]:
                tally.unexpected[f"{kind} {status}"] += 1
            elif status == 503 and not answered.get("Retry-After"):
                tally.unexpected[f"{kind} 503 without Retry-After"] += 1
            if kind != "read" and status == 200:
                tally.applied[member] += 1


def read_all(base_url: str, auth, path: str) -> list[dict]:
    rows, cursor = [], None
    while True:
        page = path + (f"&cursor={cursor}" if cursor else "")
        status, body = call(base_url, "GET", page, headers=auth)
        if status != 200:
            raise RuntimeError(f"GET {page} answered {status}")
        rows += body["results"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows


def check_ledger(base_url: str, auth, program_id: int, tally: Tally) -> list[str]:
    """The members whose balance or transactions disagree with what the run applied."""
    balances = read_all(base_url, auth, f"/api/point-balances/?program_id={program_id}&limit=200")
    transactions = read_all(base_url, auth, f"/api/transactions/?program_id={program_id}&limit=200")
    by_member: dict[str, list[dict]] = defaultdict(list)
    for transaction in transactions:
        by_member[transaction["user_id"]].append(transaction)
    problems = []
    for balance in balances:
        member = balance["user_id"]
        rows = by_member[member]
        signed = sum(row["points"] if row["type"] == "earn" else -row["points"] for row in rows)
        if balance["balance"] != signed or balance["balance"] < 0:
            problems.append(f"{member}: balance {balance['balance']}, ledger says {signed}")
        if len(rows) != tally.applied[member]:
            problems.append(f"{member}: {len(rows)} transactions, {tally.applied[member]} applied")
    return problems


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


@dataclass
class Result:
    """What a load run did: its throughput, latencies, answers and the ledger check."""

    clients: int
    seconds: float
    members: int
    tally: Tally
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.tally.unexpected

    def summary(self) -> dict[str, Any]:
        milliseconds = [value * 1000 for value in self.tally.latencies]
        total = len(milliseconds)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": total,
            "requests_per_second": round(total / self.seconds, 1),
            "p50_ms": round(percentile(milliseconds, 0.50), 1),
            "p95_ms": round(percentile(milliseconds, 0.95), 1),
            "p99_ms": round(percentile(milliseconds, 0.99), 1),
            "max_ms": round(max(milliseconds), 1),
            "answers": {str(status): n for status, n in sorted(self.tally.statuses.items())},
            "errors": sum(self.tally.unexpected.values()),
            "unexpected": dict(self.tally.unexpected),
            "ledger": "consistent" if not self.problems else "BROKEN",
        }

    def report(self) -> None:
        summary = self.summary()
        print(
            f"clients {self.clients}, {self.seconds:.1f} s, {summary['requests']} requests,"
            f" {summary['requests_per_second']:.1f} req/s"
        )
        print(
            f"latency ms: p50 {summary['p50_ms']:.1f}  p95 {summary['p95_ms']:.1f}"
            f"  p99 {summary['p99_ms']:.1f}  max {summary['max_ms']:.1f}"
        )
        print("answers: " + ", ".join(f"{s}: {n}" for s, n in summary["answers"].items()))
        print(f"errors: {summary['errors']} {summary['unexpected'] or ''}".rstrip())
        print(f"ledger: {summary['ledger']} over {self.members} members")
        for problem in self.problems:
            print(f"  {problem}")


def run(base_url: str, clients: int, seconds: float, members: int, seed: int) -> Result:
    auth, program_id = set_up(base_url)
    names = [f"member-{number}" for number in range(members)]
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client, args=(base_url, auth, program_id, names, until, seed + n, tally)
        )
        for n in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    problems = check_ledger(base_url, auth, program_id, tally)
    return Result(clients, elapsed, members, tally, problems)


@contextmanager
def local_stack(workers: int) -> Iterator[str]:
    cluster = Postgres(prefix="loyalty-load-pg-")
    try:
        migrate(cluster.url)
        process, base_url = start_local_api(cluster.url, workers=workers)
        try:
            yield base_url
        finally:
            stop_local_api(process)
    finally:
        cluster.remove()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.load", description=__doc__)
    parser.add_argument("--base-url", help="a running API (default: start a throwaway stack)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="local API workers per function")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.base_url:
        result = run(args.base_url.rstrip("/"), args.clients, args.seconds, args.members, args.seed)
    else:
        with local_stack(args.workers) as base_url:
            print(f"local stack at {base_url}, {args.workers} workers per function")
            result = run(base_url, args.clients, args.seconds, args.members, args.seed)
    result.report()
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
