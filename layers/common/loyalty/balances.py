"""Members' balances: enrol, read, list, earn and redeem.

Earn and redeem are each one statement, so the balance change and its transaction commit
together or not at all. Earn is an upsert that adds to the row under its lock, so parallel
earns never lose an update. Redeem first locks the member's row (``FOR UPDATE`` waits for a
concurrent change and then sees its result), subtracts only when the locked balance covers
the points, and otherwise reports that locked balance; parallel redeems therefore never
overdraw, and the ``balance >= 0`` constraint stands behind them.
"""

from __future__ import annotations

from typing import Any

from loyalty.access import CALLER, CALLERS_PROGRAM, PROGRAM_COLUMNS, require_program
from loyalty.db import database
from loyalty.errors import InsufficientPointsError, MemberExistsError, NotFoundError
from loyalty.models import Enrolment, PointsChange, iso_utc
from loyalty.pagination import decode_cursor, page
from loyalty.tiers import tier_for

_TRANSACTION_COLUMNS = """
    recorded.id AS tx_id, recorded.type AS tx_type, recorded.points AS tx_points,
    recorded.balance_after AS tx_balance_after, recorded.reason AS tx_reason,
    recorded.idempotency_key AS tx_idempotency_key, recorded.created_at AS tx_created_at
"""


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
    rows = database.fetch_all(
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
    row = require_program(rows)[0]
    if row["user_id"] is None:
        raise MemberExistsError(data.user_id)
    return balance_view(row)


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
    after = decode_cursor(cursor, scope, str) if cursor else ""
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


def earn_points(token: bytes, change: PointsChange) -> dict[str, Any]:
    """Add points to the balance and lifetime points, enrolling the member if needed."""
    rows = database.fetch_all(
        f"""
        WITH {CALLER}, {CALLERS_PROGRAM}, credited AS (
            INSERT INTO balances AS b (program_id, user_id, balance, lifetime_points)
            SELECT id, %(user_id)s, %(points)s, %(points)s FROM program
            ON CONFLICT (program_id, user_id) DO UPDATE
            SET balance = b.balance + EXCLUDED.balance,
                lifetime_points = b.lifetime_points + EXCLUDED.lifetime_points,
                updated_at = now()
            RETURNING b.*
        ), recorded AS (
            INSERT INTO transactions (program_id, user_id, type, points, balance_after, reason)
            SELECT program_id, user_id, 'earn', %(points)s, balance, %(reason)s FROM credited
            RETURNING *
        )
        SELECT caller.admin_id AS caller_id, {PROGRAM_COLUMNS}, credited.*, {_TRANSACTION_COLUMNS}
        FROM caller LEFT JOIN program ON true
        LEFT JOIN credited ON true LEFT JOIN recorded ON true
        """,
        {"token": token, **change.model_dump()},
    )
    return _changed_view(require_program(rows)[0])


def redeem_points(token: bytes, change: PointsChange) -> dict[str, Any]:
    """Take points off the balance; lifetime points stay as they are."""
    rows = database.fetch_all(
        f"""
        WITH {CALLER}, {CALLERS_PROGRAM}, member AS (
            SELECT b.program_id, b.user_id, b.balance FROM balances b
            WHERE b.program_id = (SELECT id FROM program) AND b.user_id = %(user_id)s
            FOR UPDATE
        ), debited AS (
            UPDATE balances AS b
            SET balance = b.balance - %(points)s, updated_at = now()
            FROM member
            WHERE b.program_id = member.program_id AND b.user_id = member.user_id
              AND member.balance >= %(points)s
            RETURNING b.*
        ), recorded AS (
            INSERT INTO transactions (program_id, user_id, type, points, balance_after, reason)
            SELECT program_id, user_id, 'redeem', %(points)s, balance, %(reason)s FROM debited
            RETURNING *
        )
        SELECT caller.admin_id AS caller_id, {PROGRAM_COLUMNS},
               member.balance AS locked_balance, debited.*, {_TRANSACTION_COLUMNS}
        FROM caller LEFT JOIN program ON true LEFT JOIN member ON true
        LEFT JOIN debited ON true LEFT JOIN recorded ON true
        """,
        {"token": token, **change.model_dump()},
    )
    row = require_program(rows)[0]
    if row["locked_balance"] is None:
        raise NotFoundError("member not enrolled")
    if row["user_id"] is None:
        raise InsufficientPointsError(balance=row["locked_balance"], points=change.points)
    return _changed_view(row)
