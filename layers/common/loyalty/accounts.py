"""Admins: register, log in, log out.

Login costs two round trips (look the admin and the username's recent failures up, then store
the new token or the failure); the others one. An unknown username costs as much password
work as a wrong password and is throttled the same way, so neither timing nor answers tell
which usernames exist.
"""

from __future__ import annotations

import math
from typing import Any

from loyalty.db import database
from loyalty.errors import (
    InvalidCredentialsError,
    InvalidTokenError,
    TooManyAttemptsError,
    UsernameTakenError,
)
from loyalty.models import iso_utc
from loyalty.models.accounts import Login, Register
from loyalty.observability import logger
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


# The first statement of a login reads the admin and how long this username must still wait,
# from this address (its own lockout) or from everywhere (too many failures overall).
_LOGIN_STATE = """
SELECT admin.id, admin.username, admin.password_hash,
    greatest(
        (SELECT extract(epoch FROM f.locked_until - now()) FROM login_failures f
         WHERE f.username_folded = %(folded)s AND f.source = %(source)s),
        (SELECT extract(epoch FROM max(f.last_failure) + %(lockout)s * interval '1 second' - now())
         FROM login_failures f
         WHERE f.username_folded = %(folded)s
           AND f.last_failure > now() - %(window)s * interval '1 second'
         HAVING sum(f.failures) >= %(overall_limit)s)
    ) AS wait_seconds
FROM (SELECT 1) AS one
LEFT JOIN admins admin ON admin.username_folded = %(folded)s
"""

# A failure counts within the window; from the limit on, the address is locked out for the
# base lockout, doubled for each further failure, up to the maximum.
_RECORD_FAILURE = """
WITH pruned AS (
    DELETE FROM login_failures
    WHERE username_folded = %(folded)s AND last_failure < now() - interval '1 day'
)
INSERT INTO login_failures AS f (username_folded, source, failures, last_failure)
VALUES (%(folded)s, %(source)s, 1, now())
ON CONFLICT (username_folded, source) DO UPDATE
SET failures = CASE WHEN f.last_failure < now() - %(window)s * interval '1 second'
                    THEN 1 ELSE f.failures + 1 END,
    last_failure = now(),
    locked_until = CASE
        WHEN f.last_failure >= now() - %(window)s * interval '1 second'
             AND f.failures + 1 >= %(limit)s
        THEN now() + least(
            %(lockout)s * power(2, f.failures + 1 - %(limit)s),
            %(max_lockout)s) * interval '1 second'
        END
RETURNING failures
"""

_START_SESSION = """
WITH cleared AS (
    DELETE FROM login_failures WHERE username_folded = %(folded)s AND source = %(source)s
)
INSERT INTO auth_tokens (token_hash, admin_id, expires_at)
VALUES (%(token)s, %(admin_id)s, now() + make_interval(secs => %(ttl)s))
RETURNING expires_at
"""


def login(data: Login, source: str) -> dict[str, Any]:
    """Check the credentials and issue a new token that expires after the configured time.

    ``source`` is the client's address. Repeated failures for a username from it are slowed
    down (429 with the seconds to wait); the check of the password is skipped while it waits.
    """
    settings = get_settings()
    throttle = {
        "folded": data.username.casefold(),
        "source": source,
        "window": settings.login_window_seconds,
        "limit": settings.login_max_failures,
        "overall_limit": settings.login_max_failures * 10,
        "lockout": settings.login_lockout_seconds,
        "max_lockout": settings.login_max_lockout_seconds,
    }
    state = database.fetch_one(_LOGIN_STATE, throttle, read_only=True)
    if state is None:
        raise RuntimeError("login state query returned no row")
    if state["wait_seconds"] is not None and state["wait_seconds"] > 0:
        logger.warning("login throttled", wait_seconds=math.ceil(state["wait_seconds"]))
        raise TooManyAttemptsError(math.ceil(state["wait_seconds"]))
    if state["id"] is None:
        burn_password_check(data.password, settings.password_hash_cost)
        accepted = False
    else:
        accepted = verify_password(data.password, state["password_hash"])
    if not accepted:
        failures = database.fetch_one(_RECORD_FAILURE, throttle)
        logger.warning("login refused", failures=failures["failures"] if failures else None)
        raise InvalidCredentialsError(data.username)
    token = new_token()
    issued = database.fetch_one(
        _START_SESSION,
        {
            **throttle,
            "token": token_digest(token),
            "admin_id": state["id"],
            "ttl": settings.token_ttl_seconds,
        },
    )
    if issued is None:
        raise RuntimeError("token insert returned no row")
    return {
        "token": token,
        "token_type": "Token",
        "user_id": state["id"],
        "username": state["username"],
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
