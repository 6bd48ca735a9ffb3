"""Opaque cursors for keyset pagination.

A cursor names the last row of a page (its sort key) and the list it belongs to, with a keyed
checksum, so that the next page continues strictly after that row: rows added between pages
are neither repeated nor skipped, and a cursor the server did not issue, or one issued for
another list, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from loyalty.errors import FieldError

# The checksum only tells the server's own cursors from anything else; it guards no secret,
# since every query behind a cursor is scoped to the caller anyway.
_KEY = b"loyalty-api cursor v1"
_MAC_BYTES = 12


def _refuse(reason: str) -> FieldError:
    return FieldError([{"field": "cursor", "message": reason}])


def _mac(payload: bytes) -> bytes:
    return hmac.new(_KEY, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(scope: str, position: Any) -> str:
    """A cursor that resumes the list named by ``scope`` after ``position``."""
    payload = json.dumps([scope, position], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(_mac(payload) + payload).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, scope: str, kind: type) -> Any:
    """The position, of type ``kind``, stored in a cursor of the list named by ``scope``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError) as error:
        raise _refuse("not a cursor issued by this server") from error
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(payload)):
        raise _refuse("not a cursor issued by this server")
    try:
        issued_scope, position = json.loads(payload)
    except ValueError as error:
        raise _refuse("not a cursor issued by this server") from error
    if issued_scope != scope or type(position) is not kind:
        raise _refuse("a cursor of another list")
    return position


def page(rows: list[dict[str, Any]], limit: int, scope: str, key: str) -> tuple[list, str | None]:
    """Split ``limit + 1`` fetched rows into a page and the cursor of the next one."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(scope, rows[-1][key])
