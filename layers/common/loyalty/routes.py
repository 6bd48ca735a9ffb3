"""What a route declares for the published document, at no cost to the running function.

Each route names its answers beside its code, ``responses(200, "BalanceChange", *failures)``,
and the models that describe them live in :mod:`loyalty.answers`. Those models cost a cold
start about 7 ms to define, and the first request more to build, yet a running function never
reads them: the document is built at build time (tools/openapi.py) and served from a file. So
a route names its answer models rather than importing them, and :func:`responses` answers
None while functions run; only after :func:`describe_routes`, which tools/openapi.py calls
before it imports the functions, does it answer the full description.
"""

from __future__ import annotations

from typing import Any

from loyalty import errors

# The two ways to send a token, either one enough: the ``security`` of every route that needs
# one (the schemes themselves are in loyalty.answers).
AUTHENTICATED = [{"token": []}, {"bearer": []}]

# Failures that many routes share: a JSON body that cannot be read, and a missing or bad token.
# Every route may answer a FieldError: a query parameter given twice is refused on any route.
BODY_FAILURES = (errors.InvalidJsonError, errors.FieldError)
TOKEN_FAILURES = (errors.NotAuthenticatedError, errors.InvalidTokenError)

# Earn and redeem say so when they answer a retry with the answer to the key's first request.
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key; nothing was changed.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    }
}

_describing = False


def describe_routes() -> None:
    """From now on, routes declared in this process carry their full description."""
    global _describing  # noqa: PLW0603 - one switch, thrown once by the document's build
    _describing = True


def responses(
    status: int,
    answer: str | tuple[str, ...] | dict[str, Any] | None,
    *failures: type[errors.LoyaltyError],
    description: str | None = None,
    headers: dict[str, Any] | None = None,
    media_type: str = "application/json",
    more: dict[int, str] | None = None,
) -> dict[int, Any] | None:
    """The ``responses`` of a route when routes are being described, else None.

    ``answer`` names a model of :mod:`loyalty.answers`, or a tuple of names for a union of
    them, or is a JSON schema (a dict), or None for no body. ``more`` adds answers by status
    that loyalty.answers spells out whole, by name. The rest is as
    :func:`loyalty.answers.responses` takes it.
    """
    if not _describing:
        return None
    from loyalty import answers  # noqa: PLC0415 - the document's build alone pays for it

    described = answers.responses(
        status,
        answers.model(answer),
        *failures,
        description=description,
        headers=headers,
        media_type=media_type,
    )
    return {**described, **{code: getattr(answers, name) for code, name in (more or {}).items()}}
