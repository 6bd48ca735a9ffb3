"""Admins: register, log in, log out.

Login costs two round trips (look the admin up, then store the new token); the others one.
An unknown username costs as much password work as a wrong password, so timing does not tell
which usernames exist.
"""

from __future__ import annotations

from typing import Any

from loyalty.db import database
from loyalty.errors import InvalidCredentialsError, InvalidTokenError, UsernameTakenError
from loyalty.models import Login, Register, iso_utc
from loyalty.security import (
    burn_password_check,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from loyalty.settings import get_settings


def admin_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "username": row["username"],
        "email": row["email"],
        "created_at": iso_utc(row["created_at"]),
    }


def register(data: Register) -> dict[str, Any]:
    """Create an admin; the username must be free regardless of case."""
    password_hash = hash_password(data.password, get_settings().password_hash_cost)
    row = database.fetch_one(
        """
        INSERT INTO admins (username, username_folded, email, password_hash)
        VALUES (%(username)s, %(folded)s, %(email)s, %(password_hash)s)
        ON CONFLICT (username_folded) DO NOTHING
        RETURNING id, username, email, created_at
        """,
        {
            "username": data.username,
            "folded": data.username.casefold(),
            "email": data.email,
            "password_hash": password_hash,
        },
    )
    if row is None:
        raise UsernameTakenError(data.username)
    return admin_view(row)


def login(data: Login) -> dict[str, Any]:
    """Check the credentials and issue a new token that expires after the configured time."""
    settings = get_settings()
    admin = database.fetch_one(
        "SELECT id, username, password_hash FROM admins WHERE username_folded = %(folded)s",
        {"folded": data.username.casefold()},
        read_only=True,
    )
    if admin is None:
        burn_password_check(data.password, settings.password_hash_cost)
        raise InvalidCredentialsError(data.username)
    if not verify_password(data.password, admin["password_hash"]):
        raise InvalidCredentialsError(data.username)
    token = new_token()
    issued = database.fetch_one(
        """
        INSERT INTO auth_tokens (token_hash, admin_id, expires_at)
        VALUES (%(token)s, %(admin_id)s, now() + make_interval(secs => %(ttl)s))
        RETURNING expires_at
        """,
        {"token": token_digest(token), "admin_id": admin["id"], "ttl": settings.token_ttl_seconds},
    )
    if issued is None:
        raise RuntimeError("token insert returned no row")
    return {
        "token": token,
        "token_type": "Token",
        "user_id": admin["id"],
        "username": admin["username"],
        "expires_at": iso_utc(issued["expires_at"]),
    }


def logout(token: bytes) -> None:
    """Revoke the token at once; the admin's other tokens stay valid."""
    row = database.fetch_one(
        """
        UPDATE auth_tokens SET revoked_at = now()
        WHERE token_hash = %(token)s AND revoked_at IS NULL AND expires_at > now()
        RETURNING admin_id
        """,
        {"token": token},
    )
    if row is None:
        raise InvalidTokenError("token not valid")
