"""Members' balances: enrol, read, list, earn and redeem.

Earn and redeem are each one statement, so the balance change and its transaction commit
together or not at all. Earn is an upsert that adds to the row under its lock, so parallel
earns never lose an update. Redeem calls the database function ``debit_balance``, which locks
the member's row (waiting for a concurrent change and then reading its result), subtracts
only when that locked balance covers the points, and otherwise reports it; parallel redeems
and earns therefore never overdraw, and the ``balance >= 0`` constraint stands behind them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import psycopg

from loyalty.access import CALLER, CALLERS_PROGRAM, PROGRAM_COLUMNS, require_caller, require_program
from loyalty.db import database
from loyalty.errors import (
    IdempotencyInProgressError,
    IdempotencyKeyReusedError,
    InsufficientPointsError,
    MemberExistsError,
    NotFoundError,
)
from loyalty.models import iso_utc
from loyalty.models.points import Enrolment, PointsChange
from loyalty.observability import logger
from loyalty.pagination import decode_cursor, page
from loyalty.tiers import tier_for

_TRANSACTION_COLUMNS = """
    recorded.id AS tx_id, recorded.type AS tx_type, recorded.points AS tx_points,
    recorded.balance_after AS tx_balance_after, recorded.reason AS tx_reason,
    recorded.idempotency_key AS tx_idempotency_key, recorded.created_at AS tx_created_at
"""


class Change(NamedTuple):
    """The answer to an earn or redeem, and whether it was replayed for an idempotency key."""

    body: dict[str, Any]
    replayed: bool


def balance_view(row: dict[str, Any]) -> dict[str, Any]:
    """A member's balance; ``row`` also holds the program's ``tiers`` and ``tier_basis``."""
    return {
        "program_id": row["program_id"],
        "user_id": row["user_id"],
        "balance": row["balance"],
        "lifetime_points": row["lifetime_points"],
        "tier": tier_for(row["tiers"], row["tier_basis"], row["balance"], row["lifetime_points"]),
        "created_at": iso_utc(row["created_at"]),
        "updated_at": iso_utc(row["updated_at"]),
    }


def transaction_view(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A transaction, from a row whose transaction columns may carry a prefix."""
    return {
        "id": row[f"{prefix}id"],
        "program_id": row["program_id"],
        "user_id": row["user_id"],
        "type": row[f"{prefix}type"],
        "points": row[f"{prefix}points"],
        "balance_after": row[f"{prefix}balance_after"],
        "reason": row[f"{prefix}reason"],
        "idempotency_key": row[f"{prefix}idempotency_key"],
        "created_at": iso_utc(row[f"{prefix}created_at"]),
    }


def _changed_view(row: dict[str, Any]) -> dict[str, Any]:
    return {**balance_view(row), "transaction": transaction_view(row, prefix="tx_")}


def enrol_member(token: bytes, data: Enrolment) -> dict[str, Any]:
    try:
        rows = _enrol(token, data)
    except psycopg.errors.ForeignKeyViolation as error:
        # The program was deleted between this statement's snapshot and its insert.
        raise NotFoundError("program deleted meanwhile") from error
    row = require_program(rows)[0]
    if row["user_id"] is None:
        raise MemberExistsError(data.user_id)
    return balance_view(row)


def _enrol(token: bytes, data: Enrolment) -> list[dict[str, Any]]:
    return database.fetch_all(
        f"""
        WITH {CALLER}, {CALLERS_PROGRAM}, enrolled AS (
            INSERT INTO balances (program_id, user_id)
            SELECT id, %(user_id)s FROM program
            ON CONFLICT (program_id, user_id) DO NOTHING
            RETURNING *
        )
        SELECT caller.admin_id AS caller_id, {PROGRAM_COLUMNS}, enrolled.*
        FROM caller LEFT JOIN program ON true LEFT JOIN enrolled ON true
        """,
        {"token": token, "program_id": data.program_id, "user_id": data.user_id},
    )


def get_balance(token: bytes, program_id: int, user_id: str) -> dict[str, Any]:
    rows = database.fetch_all(
        f"""
        WITH {CALLER}, {CALLERS_PROGRAM}
        SELECT caller.admin_id AS caller_id, {PROGRAM_COLUMNS}, b.*
        FROM caller LEFT JOIN program ON true
        LEFT JOIN balances b ON b.program_id = program.id AND b.user_id = %(user_id)s
        """,
        {"token": token, "program_id": program_id, "user_id": user_id},
        read_only=True,
    )
    row = require_program(rows)[0]
    if row["user_id"] is None:
        raise NotFoundError("member not enrolled")
    return balance_view(row)


def list_balances(token: bytes, program_id: int, limit: int, cursor: str | None) -> dict[str, Any]:
    """The program's members, ordered by ``user_id`` (byte order)."""
    scope = f"balances:{program_id}"
    after = "" if cursor is None else decode_cursor(cursor, scope, str)
    rows = database.fetch_all(
        f"""
        WITH {CALLER}, {CALLERS_PROGRAM}
        SELECT caller.admin_id AS caller_id, {PROGRAM_COLUMNS}, b.*
        FROM caller LEFT JOIN program ON true
        LEFT JOIN LATERAL (
            SELECT * FROM balances
            WHERE program_id = program.id AND user_id > %(after)s
            ORDER BY user_id LIMIT %(fetch)s
        ) b ON true
        """,
        {"token": token, "program_id": program_id, "after": after, "fetch": limit + 1},
        read_only=True,
    )
    members = [row for row in require_program(rows) if row["user_id"] is not None]
    results, next_cursor = page(members, limit, scope, "user_id")
    return {"results": [balance_view(row) for row in results], "next_cursor": next_cursor}


# Earn and redeem share one statement shape; only the CTE named ``changed`` (the balance row
# after the change) differs. Around it:
#
# - ``claim`` takes a transaction-scoped advisory lock on (admin, Idempotency-Key). If another
#   request with the key holds it, nothing is changed and the answer is 409 in progress.
# - ``prior`` finds the key's stored answer, if the key was used before: nothing is changed and
#   the answer is replayed (or 422 for a different request).
# - ``remembered`` stores the key with the facts of the answer in the same statement as the
#   change. If a request with the key committed between this statement's snapshot and its
#   lock, the primary key refuses the second row and the whole statement rolls back; the
#   caller then reads the stored answer instead (see ``_change``).
#
# Without a key, ``claim`` is true, ``prior`` is empty and ``remembered`` writes nothing.
_CHANGE_STATEMENT = """
WITH {caller}, claim AS (
    SELECT CASE WHEN %(key)s::text IS NULL THEN true
        ELSE pg_try_advisory_xact_lock(
            hashtextextended(caller.admin_id::text || ':' || %(key)s::text, 0))
        END AS key_free
    FROM caller
), prior AS (
    SELECT request_hash, response FROM idempotency_keys
    WHERE admin_id = (SELECT admin_id FROM caller) AND key = %(key)s::text
), program AS (
    SELECT id, tiers, tier_basis FROM programs
    WHERE id = %(program_id)s AND owner_id = (SELECT admin_id FROM caller)
      AND (SELECT key_free FROM claim) AND NOT EXISTS (SELECT 1 FROM prior)
), {change}, recorded AS (
    INSERT INTO transactions
        (program_id, user_id, type, points, balance_after, reason, idempotency_key)
    SELECT program_id, user_id, %(type)s, %(points)s, balance, %(reason)s, %(key)s::text
    FROM changed
    RETURNING *
), remembered AS (
    INSERT INTO idempotency_keys
        (admin_id, key, request_hash, program_id, transaction_id, response)
    SELECT caller.admin_id, %(key)s::text, %(request_hash)s, recorded.program_id, recorded.id,
        jsonb_build_object(
            'balance', to_jsonb(changed), 'transaction', to_jsonb(recorded),
            'tiers', program.tiers, 'tier_basis', program.tier_basis)
    FROM caller, changed, recorded, program
    WHERE %(key)s::text IS NOT NULL
    RETURNING 1
)
SELECT caller.admin_id AS caller_id, claim.key_free,
    prior.request_hash AS prior_request_hash, prior.response AS prior_response,
    {program_columns}, {extra_columns} changed.*, {transaction_columns}
FROM caller JOIN claim ON true LEFT JOIN prior ON true LEFT JOIN program ON true
{extra_joins} LEFT JOIN changed ON true LEFT JOIN recorded ON true
"""

_EARN = """changed AS (
    INSERT INTO balances AS b (program_id, user_id, balance, lifetime_points)
    SELECT id, %(user_id)s, %(points)s, %(points)s FROM program
    ON CONFLICT (program_id, user_id) DO UPDATE
    SET balance = b.balance + EXCLUDED.balance,
        lifetime_points = b.lifetime_points + EXCLUDED.lifetime_points,
        updated_at = now()
    RETURNING b.*
)"""

# debit_balance (migration 0003) locks the member's row, checks and subtracts in statements of
# its own, each with a fresh snapshot, so that the check and the update see the same balance.
# Whether it debited is read from a column that is never null: a row IS NOT NULL only when all
# its columns are, so a nullable column added to balances would otherwise hide every debit.
_REDEEM = """member AS (
    SELECT debit.locked_balance, debit.debited FROM program,
    LATERAL debit_balance(program.id, %(user_id)s, %(points)s) AS debit
), changed AS (
    SELECT (member.debited).* FROM member WHERE (member.debited).program_id IS NOT NULL
)"""


def _statement(change: str, extra_columns: str = "", extra_joins: str = "") -> str:
    return _CHANGE_STATEMENT.format(
        caller=CALLER,
        change=change,
        program_columns=PROGRAM_COLUMNS,
        transaction_columns=_TRANSACTION_COLUMNS,
        extra_columns=extra_columns,
        extra_joins=extra_joins,
    )


_EARN_STATEMENT = _statement(_EARN)
_REDEEM_STATEMENT = _statement(_REDEEM, "member.locked_balance,", "LEFT JOIN member ON true")


def _replayed(stored: dict[str, Any]) -> dict[str, Any]:
    """The answer stored with an idempotency key, rebuilt field for field."""
    balance, transaction = stored["balance"], stored["transaction"]
    row = {
        **balance,
        "created_at": datetime.fromisoformat(balance["created_at"]),
        "updated_at": datetime.fromisoformat(balance["updated_at"]),
        "tiers": stored["tiers"],
        "tier_basis": stored["tier_basis"],
        **{f"tx_{name}": value for name, value in transaction.items()},
        "tx_created_at": datetime.fromisoformat(transaction["created_at"]),
    }
    return _changed_view(row)


def _stored_answer(token: bytes, key: str, request_hash: bytes) -> Change:
    row = database.fetch_one(
        f"""
        WITH {CALLER}
        SELECT k.request_hash, k.response FROM idempotency_keys k
        WHERE k.admin_id = (SELECT admin_id FROM caller) AND k.key = %(key)s
        """,
        {"token": token, "key": key},
        read_only=True,
    )
    if row is None:
        # The key's first request rolled back after all; this one may simply be retried.
        raise IdempotencyInProgressError(key)
    return _answer_for_key(row["request_hash"], row["response"], request_hash, key)


def _answer_for_key(
    stored_hash: bytes, stored: dict[str, Any], request_hash: bytes, key: str
) -> Change:
    if bytes(stored_hash) != request_hash:
        raise IdempotencyKeyReusedError(key)
    return Change(_replayed(stored), replayed=True)


def _change(
    statement: str, operation: str, token: bytes, change: PointsChange, key: str | None
) -> Change:
    request_hash = change.fingerprint(operation)
    params = {
        "token": token,
        **change.model_dump(),
        "type": operation,
        "key": key,
        "request_hash": request_hash,
    }
    try:
        rows = database.fetch_all(statement, params)
    except psycopg.errors.UniqueViolation as error:
        if key is None or error.diag.constraint_name != "idempotency_keys_pkey":
            raise
        return _stored_answer(token, key, request_hash)
    except psycopg.errors.ForeignKeyViolation as error:
        raise NotFoundError("program deleted meanwhile") from error
    row = require_caller(rows[0] if rows else None)
    if row["prior_request_hash"] is not None:
        return _answer_for_key(row["prior_request_hash"], row["prior_response"], request_hash, key)
    if not row["key_free"]:
        raise IdempotencyInProgressError(key)
    if row["found_program_id"] is None:
        raise NotFoundError("program not found")
    if operation == "redeem":
        if row["locked_balance"] is None:
            raise NotFoundError("member not enrolled")
        if row["user_id"] is None:
            raise InsufficientPointsError(balance=row["locked_balance"], points=change.points)
    # The ledger already records every change for good; a log line per write would only add
    # a write to stdout (about 0.06 ms) and a CloudWatch bill to each request, so it is DEBUG.
    logger.debug(
        "points changed",
        operation=operation,
        program_id=change.program_id,
        points=change.points,
        transaction_id=row["tx_id"],
    )
    return Change(_changed_view(row), replayed=False)


def earn_points(token: bytes, change: PointsChange, key: str | None = None) -> Change:
    """Add points to the balance and lifetime points, enrolling the member if needed."""
    return _change(_EARN_STATEMENT, "earn", token, change, key)


def redeem_points(token: bytes, change: PointsChange, key: str | None = None) -> Change:
    """Take points off the balance; lifetime points stay as they are."""
    return _change(_REDEEM_STATEMENT, "redeem", token, change, key)
