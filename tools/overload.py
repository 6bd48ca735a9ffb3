"""Connections run out: the API answers 503 with Retry-After, never 500, and recovers.

``python -m tools.overload`` starts PostgreSQL with a small ``max_connections`` and the local
API in front of it (each warm worker holds one connection, as each Lambda environment does),
makes an admin and a program, then lets other clients of the database take every free
connection slot, as more environments than the server can hold would. Clients of the API
then send the load run's mix (earn, redeem, read) through three phases:

1. exhausted: no slot is free, so every worker that has no connection yet fails to open one
   (SQLSTATE 53300, "too many clients") and must answer 503 with Retry-After;
2. scarce: a few slots are freed, so some workers connect and serve while the others still
   answer 503;
3. recovered: every slot is freed, and every worker serves again without a restart.

Any answer outside the mix's usual ones (plus 503 in the first two phases), or any 503 without
Retry-After, is an error; so is a ledger that is not consistent at the end (every 503 left its
write unapplied). The exit status is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from tools.load import EXPECTED, Tally, check_ledger, client, set_up
from tools.stack import Postgres, migrate, start_local_api, stop_local_api

MIX_FUNCTIONS = 3  # earn, redeem and the balance read each have a pool of workers
SET_UP_FUNCTIONS = 3  # register, login and create program
LEDGER_FUNCTIONS = 1  # list transactions (balances are read by the mix's workers)
SCARCE_SLOTS = 2
WITH_503 = {kind: {*statuses, 503} for kind, statuses in EXPECTED.items()}


@dataclass
class Phase:
    name: str
    free_slots: int
    tally: Tally = field(default_factory=Tally)

    def summary(self) -> dict[str, Any]:
        statuses = self.tally.statuses
        return {
            "phase": self.name,
            "free_slots": self.free_slots,
            "requests": sum(statuses.values()),
            "answers": {str(status): n for status, n in sorted(statuses.items())},
            "errors": dict(self.tally.unexpected),
        }


@dataclass
class Scenario:
    max_connections: int
    workers: int
    phases: list[Phase]
    problems: list[str]

    @property
    def ok(self) -> bool:
        exhausted, _, recovered = self.phases
        return (
            not self.problems
            and not any(phase.tally.unexpected for phase in self.phases)
            # The scenario must really have run out of connections, then recovered.
            and set(exhausted.tally.statuses) == {503}
            and 503 not in recovered.tally.statuses
            and bool(recovered.tally.statuses)
        )

    def summary(self) -> dict[str, Any]:
        return {
            "max_connections": self.max_connections,
            "workers_per_function": self.workers,
            "phases": [phase.summary() for phase in self.phases],
            "ledger": "consistent" if not self.problems else "BROKEN",
            "ok": self.ok,
        }

    def report(self) -> None:
        print(f"max_connections {self.max_connections}, {self.workers} workers per function")
        for phase in self.phases:
            summary = phase.summary()
            answers = ", ".join(f"{s}: {n}" for s, n in summary["answers"].items())
            print(
                f"{phase.name:>9}: {phase.free_slots} free slots, {summary['requests']} requests,"
                f" answers {answers}; errors {summary['errors'] or 0}"
            )
        print(f"ledger: {'consistent' if not self.problems else 'BROKEN'}")
        for problem in self.problems:
            print(f"  {problem}")
        verdict = "503 with Retry-After, never 500, then recovered" if self.ok else "FAILED"
        print(f"result: {verdict}")


class Hog:
    """Other clients of the database: they hold every connection slot they can get."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.connections: list[psycopg.Connection] = []

    def fill(self) -> None:
        while True:
            try:
                connection = psycopg.connect(self.database_url, connect_timeout=5)
            except psycopg.OperationalError as error:
                # "too many clients", or the last slots kept for superusers.
                if "too many clients" not in str(error) and "slots are reserved" not in str(error):
                    raise
                return
            self.connections.append(connection)

    def release(self, count: int | None = None) -> None:
        count = len(self.connections) if count is None else count
        for _ in range(count):
            self.connections.pop().close()


def _phase(
    base_url: str, auth, program_id: int, phase: Phase, clients: int, seconds: float, seed: int
) -> None:
    members = [f"member-{number}" for number in range(10)]
    expected = EXPECTED if phase.name == "recovered" else WITH_503
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(base_url, auth, program_id, members, until, seed + n, phase.tally, expected),
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def minimum_connections(workers: int) -> int:
    """Connections the scenario's workers need once the database has recovered."""
    return workers * MIX_FUNCTIONS + SET_UP_FUNCTIONS + LEDGER_FUNCTIONS


@contextmanager
def overloaded_stack(
    max_connections: int, workers: int, parameters: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL that admits ``max_connections`` and the local API before it."""
    cluster = Postgres(prefix="loyalty-overload-pg-", max_connections=max_connections)
    try:
        migrate(cluster.url)
        process, base_url = start_local_api(cluster.url, workers=workers, parameters=parameters)
        try:
            yield cluster.url, base_url
        finally:
            stop_local_api(process)
    finally:
        cluster.remove()


def run(
    database_url: str,
    base_url: str,
    *,
    max_connections: int,
    workers: int,
    clients: int,
    seconds: float,
    seed: int = 1,
) -> Scenario:
    auth, program_id = set_up(base_url)
    hog = Hog(database_url)
    phases = [Phase("exhausted", 0), Phase("scarce", SCARCE_SLOTS), Phase("recovered", 0)]
    applied = Tally()
    try:
        hog.fill()
        for phase in phases:
            if phase.name == "scarce":
                hog.release(SCARCE_SLOTS)
            elif phase.name == "recovered":
                phase.free_slots = len(hog.connections)
                hog.release()
            _phase(base_url, auth, program_id, phase, clients, seconds, seed)
            for member, count in phase.tally.applied.items():
                applied.applied[member] += count
    finally:
        hog.release()
    problems = check_ledger(base_url, auth, program_id, applied)
    return Scenario(max_connections, workers, phases, problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.overload", description=__doc__)
    parser.add_argument("--max-connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="local API workers per function")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5, help="length of each phase")
    args = parser.parse_args(argv)
    if args.max_connections < minimum_connections(args.workers):
        parser.error(
            f"--max-connections must be at least {minimum_connections(args.workers)} for"
            f" {args.workers} workers, or the API cannot recover within it"
        )
    with overloaded_stack(args.max_connections, args.workers) as (database_url, base_url):
        scenario = run(
            database_url,
            base_url,
            max_connections=args.max_connections,
            workers=args.workers,
            clients=args.clients,
            seconds=args.seconds,
        )
    scenario.report()
    return 0 if scenario.ok else 1


if __name__ == "__main__":
    sys.exit(main())
