"""Earn and redeem answered without the resolver, for the well-formed requests that are nearly
all of their traffic.

Powertools' resolver with validation on costs each request about 0.13 ms of Python: the
headers are rebuilt into case-insensitive maps several times, and the route's parameters are
inspected anew. On a warm function that is as much as the write itself on a local database,
and more once the cache misses of a real request are counted (bench/results.md). So the two
writes take a direct path when a request is plainly well formed: its body is a JSON object
that the route's own model accepts, its Idempotency-Key (if any) is valid, and it carries no
``Origin`` header (a browser's request, which may need CORS headers). The same model
validates it, the same domain function runs it, the same function builds its answer, and
the same error table answers its domain errors and faults, so the answer is the resolver's,
byte for byte; tests/integration/test_direct_path.py holds the two side by side.

Anything else (a body that does not parse or validate, a bad key, a browser's request, a
path or method of no route) is left to the resolver, which answers it exactly as before.
Nothing is written before the request is known to be well formed, so leaving a request to
the resolver never runs it twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from loyalty import errors
from loyalty.api import (
    DirectPath,
    answer_error,
    answer_fault,
    as_result,
    change_response,
    resolved_headers,
)
from loyalty.balances import Change
from loyalty.models import IdempotencyKey
from loyalty.models.points import PointsChange
from loyalty.security import token_digest, token_from_header

Operation = Callable[[bytes, PointsChange, str | None], Change]


@cache
def _key_adapter() -> TypeAdapter[str]:
    return TypeAdapter(IdempotencyKey)


def _single(value: Any) -> Any:
    # A multi-value header holds one value here: repeated ones were refused before.
    return value[-1] if isinstance(value, list) and value else value


def _well_formed(event: dict[str, Any], path: str) -> tuple[dict, PointsChange, str | None] | None:
    """The request's headers, body and key when it is plainly well formed, else None.

    Each header is read from where the resolver reads it: the token from the single-value
    headers (loyalty.api.caller_token), the key from the multi-value ones when there are any.
    """
    if event.get("httpMethod") != "POST" or str(event.get("path", "")).rstrip("/") != path:
        return None
    single = event.get("headers")
    if not isinstance(single, dict):
        return None
    headers = {str(name).lower(): value for name, value in single.items()}
    resolved = resolved_headers(event)
    body = event.get("body")
    if (
        "origin" in headers
        or "origin" in resolved
        or _single(resolved.get("content-type")) != "application/json"
        or event.get("isBase64Encoded")
        or not isinstance(body, str)
    ):
        return None
    try:
        fields = json.loads(body)
        if not isinstance(fields, dict):
            return None
        change = PointsChange.model_validate(fields)
        key = _single(resolved.get("idempotency-key"))
        if key is not None:
            key = _key_adapter().validate_python(key)
    except (ValueError, RecursionError, ValidationError):
        # JSONDecodeError is a ValueError. The resolver answers each of these as it should.
        return None
    return headers, change, key


def points_change(path: str, operation: Operation) -> DirectPath:
    """The direct path of the route at ``path`` that runs ``operation`` (earn or redeem)."""

    def direct(event: dict[str, Any]) -> dict[str, Any] | None:
        request = _well_formed(event, path)
        if request is None:
            return None
        headers, change, key = request
        try:
            token = token_digest(token_from_header(headers.get("authorization")))
            response = change_response(operation(token, change, key))
        except errors.LoyaltyError as error:
            response = answer_error(error)
        except Exception:  # noqa: BLE001 - any fault is answered, as the resolver answers it
            response = answer_fault((event.get("requestContext") or {}).get("requestId", ""))
        return as_result(response)

    return direct
