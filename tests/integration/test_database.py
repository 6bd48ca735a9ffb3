"""The database layer: invariants held by constraints, faults, concurrency and migrations."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from loyalty import balances
from loyalty.db import database
from loyalty.errors import IdempotencyInProgressError, InsufficientPointsError, NotFoundError
from loyalty.migrate import available_migrations
from loyalty.models.points import PointsChange
from loyalty.security import token_digest
from loyalty.settings import get_settings
from tests.support.events import load_event
from tests.support.functions import invoke
from tests.support.ledger import ledger_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def member(token: str, make_program) -> dict:
    """A member with 100 points, in a program of the ``token`` admin."""
    program_id = make_program()
    body = {"program_id": program_id, "user_id": "m", "points": 100}
    assert invoke("earn_points", load_event("earn-points", token=token, body=body)).status == 200
    return {"program_id": program_id, "user_id": "m"}


def _state(database_url: str, member: dict) -> tuple:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT b.balance, b.lifetime_points,"
            " (SELECT count(*) FROM transactions t"
            "  WHERE t.program_id = b.program_id AND t.user_id = b.user_id)"
            " FROM balances b WHERE b.program_id = %(program_id)s AND b.user_id = %(user_id)s",
            member,
        ).fetchone()


def _backend_waiting_on_a_lock(admin: psycopg.Connection) -> int:
    for _ in range(200):
        waiting = admin.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name = 'loyalty-api' AND wait_event_type = 'Lock'"
        ).fetchone()
        if waiting:
            return waiting[0]
        time.sleep(0.02)
    raise AssertionError("no backend of the API waited on the lock")


class TestConstraints:
    """Writes that bypass the layer still cannot break the ledger."""

    def test_a_balance_cannot_go_negative(self, database_url: str, member: dict) -> None:
        with (
            psycopg.connect(database_url) as connection,
            pytest.raises(psycopg.errors.CheckViolation),
        ):
            connection.execute(
                "UPDATE balances SET balance = -1 WHERE program_id = %(program_id)s", member
            )

    def test_a_balance_cannot_change_without_its_transaction(
        self, database_url: str, member: dict
    ) -> None:
        with psycopg.connect(database_url, autocommit=True) as connection:
            with pytest.raises(psycopg.errors.CheckViolation):
                connection.execute(
                    "UPDATE balances SET balance = 50 WHERE program_id = %(program_id)s", member
                )
        assert _state(database_url, member) == (100, 100, 1)

    def test_a_transaction_must_continue_the_chain(self, database_url: str, member: dict) -> None:
        with (
            psycopg.connect(database_url) as connection,
            pytest.raises(psycopg.errors.CheckViolation),
        ):
            connection.execute(
                "INSERT INTO transactions (program_id, user_id, type, points, balance_after)"
                " VALUES (%(program_id)s, %(user_id)s, 'earn', 5, 999)",
                member,
            )

    def test_transactions_are_immutable(self, database_url: str, member: dict) -> None:
        with (
            psycopg.connect(database_url) as connection,
            pytest.raises(psycopg.errors.RestrictViolation),
        ):
            connection.execute(
                "UPDATE transactions SET points = 1 WHERE program_id = %(program_id)s", member
            )


class TestFaults:
    def test_a_connection_killed_while_idle_is_replaced_before_use(
        self, token: str, database_url: str, member: dict
    ) -> None:
        # Given the function's warm connection, terminated by the server while idle
        assert invoke("health", load_event("health")).status == 200
        pid = database.backend_pid
        with psycopg.connect(database_url, autocommit=True) as admin:
            # Wait (up to 5 s) until the backend is really gone, as after a restart
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        # When the next request comes, then it is served on a new connection
        body = {**member, "points": 5}
        answer = invoke("earn_points", load_event("earn-points", token=token, body=body))
        assert (answer.status, answer.body["balance"]) == (200, 105)
        assert database.backend_pid != pid

    def test_a_write_cut_off_midway_answers_503_and_changes_nothing(
        self, token: str, database_url: str, member: dict
    ) -> None:
        # Given a redeem that waits on the member's row, locked by another session
        answers = []
        event = load_event("redeem-points", token=token, body={**member, "points": 30})
        with psycopg.connect(database_url) as blocker:
            blocker.execute(
                "SELECT 1 FROM balances WHERE program_id = %(program_id)s FOR UPDATE", member
            )
            redeem = threading.Thread(target=lambda: answers.append(invoke("redeem_points", event)))
            redeem.start()
            with psycopg.connect(database_url, autocommit=True) as admin:
                worker_pid = _backend_waiting_on_a_lock(admin)
                # When its connection is killed while it waits
                admin.execute("SELECT pg_terminate_backend(%s)", [worker_pid])
            redeem.join(timeout=30)
            blocker.rollback()
        # Then it answers 503 with Retry-After, and nothing was applied
        (answer,) = answers
        assert (answer.status, answer.body["code"]) == (503, "service_unavailable")
        assert answer.headers["retry-after"] == "2"
        assert _state(database_url, member) == (100, 100, 1)
        # And the next request is served again, by itself
        retried = invoke("redeem_points", event)
        assert (retried.status, retried.body["balance"]) == (200, 70)

    def test_a_read_past_the_statement_timeout_answers_503_without_waiting_twice(
        self,
        token: str,
        database_url: str,
        member: dict,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Given a short statement timeout, and the balances locked by another session
        warnings: list[tuple[str, dict]] = []

        def warning(message: str, **fields: object) -> None:
            warnings.append((message, fields))

        monkeypatch.setattr("loyalty.db.logger.warning", warning)
        monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "300")
        get_settings.cache_clear()
        database.close()
        query = {"program_id": str(member["program_id"]), "user_id": member["user_id"]}
        event = load_event("get-balance", token=token, query=query)
        try:
            with psycopg.connect(database_url) as blocker:
                blocker.execute("LOCK TABLE balances IN ACCESS EXCLUSIVE MODE")
                # When a read waits on them past the timeout
                answer = invoke("get_balances", event)
                blocker.rollback()
            # Then it answers 503 after one attempt: a second would only wait as long again
            assert (answer.status, answer.body["code"]) == (503, "service_unavailable")
            assert answer.headers["retry-after"] == "2"
            statements = [entry for entry in warnings if entry[0] == "database statement failed"]
            assert statements == [
                ("database statement failed", {"error": "QueryCanceled", "attempt": 1})
            ]
            # And once the lock is gone the same connection serves the read
            pid = database.backend_pid
            again = invoke("get_balances", event)
            assert (again.status, again.body["balance"], database.backend_pid) == (200, 100, pid)
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
            database.close()

    def test_a_schema_change_under_warm_connections_is_answered_without_a_500(
        self, token: str, database_url: str, member: dict
    ) -> None:
        # Given a warm connection that has prepared the earn and the read (after 5 runs)
        earn = load_event("earn-points", token=token, body={**member, "points": 1})
        query = {"program_id": str(member["program_id"]), "user_id": member["user_id"]}
        read = load_event("get-balance", token=token, query=query)
        for _ in range(7):
            assert invoke("earn_points", earn).status == 200
            assert invoke("get_balances", read).status == 200
        expected = 107
        try:
            for change in ("ADD COLUMN schema_probe int", "DROP COLUMN schema_probe"):
                # When a migration changes the table those statements return
                with psycopg.connect(database_url, autocommit=True) as admin:
                    admin.execute(f"ALTER TABLE balances {change}")
                # Then both are answered, each on a connection that prepares them afresh
                expected += 1
                earned = invoke("earn_points", earn)
                assert (earned.status, earned.body["balance"]) == (200, expected), change
                answer = invoke("get_balances", read)
                assert (answer.status, answer.body["balance"]) == (200, expected), change
        finally:
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute("ALTER TABLE balances DROP COLUMN IF EXISTS schema_probe")
        assert _state(database_url, member) == (expected, expected, expected - 99)

    def test_a_column_type_changed_under_a_warm_trigger_is_answered_without_a_500(
        self, token: str, database_url: str, member: dict
    ) -> None:
        # Given a warm connection whose ledger trigger has planned its queries
        earn = load_event("earn-points", token=token, body={**member, "points": 1})
        redeem = load_event("redeem-points", token=token, body={**member, "points": 1})
        for _ in range(7):
            assert invoke("earn_points", earn).status == 200
            assert invoke("redeem_points", redeem).status == 200
        try:
            for change in ("TYPE varchar(6)", "TYPE text"):
                # When a migration changes the type of a column that the trigger reads
                with psycopg.connect(database_url, autocommit=True) as admin:
                    admin.execute(f"ALTER TABLE transactions ALTER COLUMN type {change}")
                # Then earn and redeem are answered, on a connection that plans afresh
                earned = invoke("earn_points", earn)
                assert (earned.status, earned.body["balance"]) == (200, 101), change
                redeemed = invoke("redeem_points", redeem)
                assert (redeemed.status, redeemed.body["balance"]) == (200, 100), change
        finally:
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute("ALTER TABLE transactions ALTER COLUMN type TYPE text")
        assert _state(database_url, member) == (100, 109, 19)

    def test_a_nullable_column_added_to_balances_leaves_redeem_working(
        self, token: str, database_url: str, member: dict
    ) -> None:
        # Given a migration that adds a column without a value to the balances
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("ALTER TABLE balances ADD COLUMN nullable_probe timestamptz")
        try:
            # When a member redeems, then the debit and its transaction are written
            body = {**member, "points": 40}
            answer = invoke("redeem_points", load_event("redeem-points", token=token, body=body))
            assert (answer.status, answer.body["balance"]) == (200, 60)
        finally:
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute("ALTER TABLE balances DROP COLUMN nullable_probe")
        assert _state(database_url, member) == (60, 100, 2)

    def test_a_connection_left_busy_by_a_failure_is_replaced(self) -> None:
        # Given a statement that fails and leaves its connection in the middle of a COPY
        database.fetch_one("SELECT 1 AS one")
        pid = database.backend_pid
        with pytest.raises(psycopg.Error):
            database.fetch_all("COPY (SELECT 1) TO STDOUT")
        # When the next statement comes, then it runs, on a new connection
        assert database.fetch_one("SELECT 2 AS two") == {"two": 2}
        assert database.backend_pid != pid

    def test_an_unreachable_database_answers_503_then_recovers(
        self, token: str, member: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        # Given a database that cannot be reached
        database.close()
        monkeypatch.setenv("DATABASE_URL", f"postgresql://loyalty@/loyalty?host={tmp_path}")
        get_settings.cache_clear()
        try:
            health = invoke("health", load_event("health"))
            earn = invoke(
                "earn_points", load_event("earn-points", token=token, body={**member, "points": 1})
            )
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
        # Then health and writes answer 503, never 500
        assert (health.status, health.body) == (
            503,
            {"status": "unavailable", "database": "unavailable"},
        )
        assert (earn.status, earn.body["code"]) == (503, "service_unavailable")
        assert earn.headers["retry-after"] == "2"
        # And once it is back, the same function serves again without a restart
        again = invoke(
            "earn_points", load_event("earn-points", token=token, body={**member, "points": 1})
        )
        assert (again.status, again.body["balance"]) == (200, 101)


class TestConcurrencyThroughTheLayer:
    """Many threads, each on its own database connection, call the layer at once."""

    @staticmethod
    def _storm(calls: list, count: int = 20) -> list[str]:
        def run(call) -> str:
            try:
                return "replayed" if call().replayed else "applied"
            except (InsufficientPointsError, IdempotencyInProgressError, NotFoundError) as error:
                return type(error).__name__
            finally:
                database.close()

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(run, calls))

    def test_twenty_parallel_redeems_that_together_overdraw(
        self, token: str, member: dict, database_url: str
    ) -> None:
        change = PointsChange(**member, points=30)
        digest = token_digest(token)
        outcomes = self._storm([lambda: balances.redeem_points(digest, change)] * 20)
        assert sorted(outcomes) == ["InsufficientPointsError"] * 17 + ["applied"] * 3
        assert ledger_of(database_url, member["program_id"]) == {
            "m": {"balance": 10, "transactions": 4}
        }

    def test_fifty_parallel_earns(self, token: str, member: dict, database_url: str) -> None:
        change = PointsChange(**member, points=2)
        digest = token_digest(token)
        outcomes = self._storm([lambda: balances.earn_points(digest, change)] * 50)
        assert outcomes == ["applied"] * 50
        assert ledger_of(database_url, member["program_id"]) == {
            "m": {"balance": 200, "transactions": 51}
        }

    def test_ten_parallel_requests_with_one_key(
        self, token: str, member: dict, database_url: str
    ) -> None:
        change = PointsChange(**member, points=7)
        digest, key = token_digest(token), str(uuid.uuid4())
        outcomes = self._storm([lambda: balances.earn_points(digest, change, key)] * 10)
        assert outcomes.count("applied") == 1
        assert set(outcomes) <= {"applied", "replayed", "IdempotencyInProgressError"}
        assert ledger_of(database_url, member["program_id"]) == {
            "m": {"balance": 107, "transactions": 2}
        }

    def test_a_mixed_storm_over_hot_members(
        self, token: str, make_program, database_url: str
    ) -> None:
        program_id = make_program()
        digest = token_digest(token)
        plan = random.Random(11)
        calls = []
        for _ in range(120):
            change = PointsChange(
                program_id=program_id,
                user_id=plan.choice(["a", "b", "c"]),
                points=plan.randint(1, 30),
            )
            operation = plan.choice([balances.earn_points, balances.redeem_points])
            calls.append(lambda operation=operation, change=change: operation(digest, change))
        outcomes = self._storm(calls)
        ledger = ledger_of(database_url, program_id)
        assert sum(entry["transactions"] for entry in ledger.values()) == outcomes.count("applied")

    @pytest.mark.parametrize("operation", ["enrol-member", "earn-points"])
    def test_a_program_deleted_under_a_write_answers_404(
        self, token: str, make_program, database_url: str, operation: str
    ) -> None:
        # Given a delete of the program, not yet committed, that the write will wait for
        program_id = make_program()
        body = {"program_id": program_id, "user_id": "late", "points": 5}
        if operation == "enrol-member":
            del body["points"]
        event = load_event(operation, token=token, body=body)
        answers = []
        with psycopg.connect(database_url) as deleter:
            deleter.execute("DELETE FROM programs WHERE id = %s", [program_id])
            write = threading.Thread(
                target=lambda: answers.append(invoke(operation.replace("-", "_"), event))
            )
            write.start()
            with psycopg.connect(database_url, autocommit=True) as admin:
                _backend_waiting_on_a_lock(admin)
            # When the delete commits under it
            deleter.commit()
            write.join(timeout=30)
        # Then the write finds no program, as if it had come after the delete
        (answer,) = answers
        assert (answer.status, answer.body["code"]) == (404, "not_found")


class TestMigrations:
    def test_two_processes_migrating_at_once_apply_each_file_once(self, database_url: str) -> None:
        name = f"migrate_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = database_url.replace("/loyalty?", f"/{name}?")
        try:
            env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT / "layers" / "common")}
            runs = [
                subprocess.Popen(
                    [sys.executable, "-m", "loyalty.migrate"],
                    env=env,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = sorted(run.communicate(timeout=60)[0].splitlines()[-1] for run in runs)
            assert [run.returncode for run in runs] == [0, 0]
            count = len(available_migrations())
            assert outputs[0] == "migrations applied: 0"
            assert outputs[1].startswith(f"migrations applied: {count}")
            with psycopg.connect(url) as connection:
                versions = connection.execute(
                    "SELECT version FROM schema_migrations ORDER BY version"
                ).fetchall()
            assert [row[0] for row in versions] == [m.version for m in available_migrations()]
        finally:
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
