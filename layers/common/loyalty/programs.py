"""Loyalty programs: create, list, read, replace, change and delete the caller's programs.

Each operation is one statement that also checks the caller's token (see
:mod:`loyalty.access`). A program of another admin answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from loyalty.access import CALLER, require_caller
from loyalty.db import database
from loyalty.errors import NotFoundError
from loyalty.models import MAX_ID, iso_utc
from loyalty.models.programs import ProgramPatch, ProgramReplace
from loyalty.pagination import decode_cursor, page

_SCOPE = "programs"


def program_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "tier_basis": row["tier_basis"],
        "tiers": row["tiers"],
        "owner_id": row["owner_id"],
        "created_at": iso_utc(row["created_at"]),
        "updated_at": iso_utc(row["updated_at"]),
    }


def _columns(changes: dict[str, Any]) -> dict[str, Any]:
    if "tiers" in changes:
        changes = {**changes, "tiers": Jsonb(changes["tiers"])}
    return changes


def _found(row: dict[str, Any] | None) -> dict[str, Any]:
    if require_caller(row)["id"] is None:
        raise NotFoundError("program not found")
    return program_view(row)


def create_program(token: bytes, data: ProgramReplace) -> dict[str, Any]:
    row = database.fetch_one(
        f"""
        WITH {CALLER}
        INSERT INTO programs (owner_id, name, description, tier_basis, tiers)
        SELECT admin_id, %(name)s, %(description)s, %(tier_basis)s, %(tiers)s FROM caller
        RETURNING *
        """,
        {"token": token, **_columns(data.model_dump())},
    )
    return program_view(require_caller(row))


def list_programs(token: bytes, limit: int, cursor: str | None) -> dict[str, Any]:
    """The caller's programs, newest first."""
    before = MAX_ID if cursor is None else decode_cursor(cursor, _SCOPE, int)
    rows = database.fetch_all(
        f"""
        WITH {CALLER}
        SELECT caller.admin_id AS caller_id, p.* FROM caller
        LEFT JOIN LATERAL (
            SELECT * FROM programs
            WHERE owner_id = caller.admin_id AND id < %(before)s
            ORDER BY id DESC LIMIT %(fetch)s
        ) p ON true
        """,
        {"token": token, "before": before, "fetch": limit + 1},
        read_only=True,
    )
    require_caller(rows[0] if rows else None)
    programs = [row for row in rows if row["id"] is not None]
    results, next_cursor = page(programs, limit, _SCOPE, "id")
    return {"results": [program_view(row) for row in results], "next_cursor": next_cursor}


def get_program(token: bytes, program_id: int) -> dict[str, Any]:
    row = database.fetch_one(
        f"""
        WITH {CALLER}
        SELECT caller.admin_id AS caller_id, p.* FROM caller
        LEFT JOIN programs p ON p.id = %(program_id)s AND p.owner_id = caller.admin_id
        """,
        {"token": token, "program_id": program_id},
        read_only=True,
    )
    return _found(row)


def change_program(
    token: bytes, program_id: int, data: ProgramReplace | ProgramPatch
) -> dict[str, Any]:
    """Replace (PUT) or change (PATCH) a program; only the fields in ``data`` are written."""
    changes = data.changes() if isinstance(data, ProgramPatch) else data.model_dump()
    if not changes:
        return get_program(token, program_id)
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column))
        for column in changes
    )
    query = sql.SQL(
        """
        WITH {caller}, changed AS (
            UPDATE programs SET {assignments}, updated_at = now()
            WHERE id = %(program_id)s AND owner_id = (SELECT admin_id FROM caller)
            RETURNING *
        )
        SELECT caller.admin_id AS caller_id, changed.* FROM caller LEFT JOIN changed ON true
        """
    ).format(caller=sql.SQL(CALLER), assignments=assignments)
    row = database.fetch_one(query, {"token": token, "program_id": program_id, **_columns(changes)})
    return _found(row)


def delete_program(token: bytes, program_id: int) -> None:
    """Delete a program with its members and their transactions."""
    row = database.fetch_one(
        f"""
        WITH {CALLER}, removed AS (
            DELETE FROM programs
            WHERE id = %(program_id)s AND owner_id = (SELECT admin_id FROM caller)
            RETURNING id
        )
        SELECT caller.admin_id AS caller_id, removed.id FROM caller LEFT JOIN removed ON true
        """,
        {"token": token, "program_id": program_id},
    )
    if require_caller(row)["id"] is None:
        raise NotFoundError("program not found")
