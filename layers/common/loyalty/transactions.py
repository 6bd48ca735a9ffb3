"""The ledger: a program's transactions, newest first, with filters and keyset pagination.

Transactions are written only by :mod:`loyalty.balances`, in the same statement as the
balance change they record, and never changed afterwards (the database refuses updates).
The ``since`` filter is inclusive and ``until`` exclusive, so consecutive windows never
count a transaction twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from psycopg import sql

from loyalty.access import CALLER, CALLERS_PROGRAM, PROGRAM_COLUMNS, require_program
from loyalty.balances import transaction_view
from loyalty.db import database
from loyalty.models import MAX_ID, as_utc
from loyalty.pagination import decode_cursor, page


def list_transactions(
    token: bytes,
    program_id: int,
    *,
    user_id: str | None = None,
    type: Literal["earn", "redeem"] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    cursor: str | None = None,
) -> dict[str, Any]:
    scope = f"transactions:{program_id}"
    before = MAX_ID if cursor is None else decode_cursor(cursor, scope, int)
    params: dict[str, Any] = {
        "token": token,
        "program_id": program_id,
        "before": before,
        "fetch": limit + 1,
    }
    filters = []
    for column, operator, value in (
        ("user_id", "=", user_id),
        ("type", "=", type),
        ("created_at", ">=", as_utc(since) if since else None),
        ("created_at", "<", as_utc(until) if until else None),
    ):
        if value is not None:
            name = f"{column}_{len(filters)}"
            filters.append(
                sql.SQL("AND t.{} {} {}").format(
                    sql.Identifier(column), sql.SQL(operator), sql.Placeholder(name)
                )
            )
            params[name] = value
    query = sql.SQL(
        """
        WITH {caller}, {program}
        SELECT caller.admin_id AS caller_id, {program_columns}, t.*
        FROM caller LEFT JOIN program ON true
        LEFT JOIN LATERAL (
            SELECT * FROM transactions t
            WHERE t.program_id = program.id AND t.id < %(before)s {filters}
            ORDER BY t.id DESC LIMIT %(fetch)s
        ) t ON true
        """
    ).format(
        caller=sql.SQL(CALLER),
        program=sql.SQL(CALLERS_PROGRAM),
        program_columns=sql.SQL(PROGRAM_COLUMNS),
        filters=sql.SQL(" ").join(filters),
    )
    rows = database.fetch_all(query, params, read_only=True)
    found = [row for row in require_program(rows) if row["id"] is not None]
    results, next_cursor = page(found, limit, scope, "id")
    return {"results": [transaction_view(row) for row in results], "next_cursor": next_cursor}
