"""Who may touch what: the caller's token and program ownership, checked inside each statement.

Every statement of an authenticated route begins with these common table expressions, so the
token check costs no round trip of its own and a program of another admin is simply not
found (404), exactly like a program that does not exist. Statements answer ``caller_id`` (and
``found_program_id`` where a program is named): no row at all means the token is not valid.
"""

from __future__ import annotations

from typing import Any

from loyalty.errors import InvalidTokenError, NotFoundError

CALLER = """caller AS (
    SELECT admin_id FROM auth_tokens
    WHERE token_hash = %(token)s AND revoked_at IS NULL AND expires_at > now()
)"""

CALLERS_PROGRAM = """program AS (
    SELECT id, tiers, tier_basis FROM programs
    WHERE id = %(program_id)s AND owner_id = (SELECT admin_id FROM caller)
)"""

PROGRAM_COLUMNS = "program.id AS found_program_id, program.tiers, program.tier_basis"


def require_caller(row: dict[str, Any] | None) -> dict[str, Any]:
    """The row of a statement that checked the token, or :class:`InvalidTokenError`."""
    if row is None:
        raise InvalidTokenError("token not valid")
    return row


def require_program(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a statement about one of the caller's programs, checked for both."""
    if not rows:
        raise InvalidTokenError("token not valid")
    if rows[0]["found_program_id"] is None:
        raise NotFoundError("program not found")
    return rows
