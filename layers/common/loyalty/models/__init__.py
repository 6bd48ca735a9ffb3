"""Pydantic models of what clients send: request bodies and query strings.

Bodies are strict: amounts and ids must be JSON integers (no ``"50"``, ``10.0`` or ``true``),
strings must be strings, and a field the contract does not name is rejected rather than
ignored, so a client that sets ``balance`` or ``owner_id`` learns at once that it cannot.
Query strings arrive as text and are parsed just as strictly (digits only for numbers).

This module holds the field types every body shares and the base of the bodies; the bodies
are in one module per resource (accounts, programs, points), so that a function builds only
the models it uses when it starts.
"""

# No ``from __future__ import annotations`` here: pydantic would then evaluate every field's
# annotation back from a string when each model class is made, at every cold start.
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
)

MAX_ID = 2**63 - 1
# Ids are below this bound (PostgreSQL's bigint). Stated as an exclusive bound because 2**63 is
# exact as a JSON Schema number (a double), where 2**63 - 1 would round up to it.
ID_LIMIT = 2**63
MAX_POINTS = 1_000_000_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# Unicode's control characters (category Cc) are exactly these two ranges; a pattern finds them
# without importing the Unicode database.
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")


def no_control_characters(value: str) -> str:
    if _CONTROL_CHARACTER.search(value):
        raise ValueError("must not contain control characters")
    return value


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _no_comma(value: str) -> str:
    # HTTP joins a header sent twice with commas, so a key with a comma could not be told
    # from two keys; refusing commas makes a repeated Idempotency-Key a 400 everywhere.
    if "," in value:
        raise ValueError("must not contain commas (send the header once)")
    return value


def _printable_ascii(value: str) -> str:
    if not (value.isascii() and value.isprintable()):
        raise ValueError("must be printable ASCII characters")
    return value


def _iso_8601(value: Any) -> Any:
    # pydantic alone would also take Unix times ("1700000000") and times without a zone.
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise ValueError("must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z") from error
        if moment.tzinfo is None:
            raise ValueError("must name its time zone, e.g. a Z suffix for UTC")
        return moment
    return value


def _digits(value: Any) -> Any:
    # Query values are text; accept only plain ASCII digits, not "1.0", " 1", "+1" or "1_0".
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{1,19}", value):
            raise ValueError("must be a whole number written in digits")
        return int(value)
    return value


# The rules of the validators above, as JSON Schema patterns for the published document.
NO_CONTROL_CHARACTERS = {"pattern": r"^[^\u0000-\u001f\u007f-\u009f]*$"}
NO_NUL = {"pattern": r"^[^\u0000]*$"}
PRINTABLE_ASCII = {"pattern": r"^[ -~]*$"}

PositiveId = Annotated[StrictInt, Field(ge=1, lt=ID_LIMIT)]
UserId = Annotated[
    StrictStr,
    Field(min_length=1, max_length=255, json_schema_extra=NO_CONTROL_CHARACTERS),
    AfterValidator(no_control_characters),
]
Points = Annotated[StrictInt, Field(ge=1, le=MAX_POINTS)]
Reason = Annotated[
    StrictStr, Field(max_length=255, json_schema_extra=NO_NUL), AfterValidator(no_nul)
]
ProgramName = Annotated[
    StrictStr,
    Field(min_length=1, max_length=255, json_schema_extra=NO_CONTROL_CHARACTERS),
    AfterValidator(no_control_characters),
]
Description = Annotated[
    StrictStr, Field(max_length=2000, json_schema_extra=NO_NUL), AfterValidator(no_nul)
]
TierBasis = Literal["balance", "lifetime"]

IdempotencyKey = Annotated[
    str,
    Field(min_length=1, max_length=255, json_schema_extra={"pattern": r"^[ -+\-~]*$"}),
    AfterValidator(_printable_ascii),
    AfterValidator(_no_comma),
]
# The bounds come before the validator that turns the text into a number, so that they apply to
# that number and the JSON schema states them as minimum and maximum.
QueryId = Annotated[int, Field(ge=1, lt=ID_LIMIT), BeforeValidator(_digits)]
QueryTime = Annotated[datetime, BeforeValidator(_iso_8601)]
QueryLimit = Annotated[int, Field(ge=1, le=MAX_LIMIT), BeforeValidator(_digits)]


class RequestBody(BaseModel):
    # Each model's validator is built when it first validates, not at import: a function uses
    # one or two of these models, and building all of them would lengthen every cold start.
    model_config = ConfigDict(
        extra="forbid", strict=True, str_strip_whitespace=False, defer_build=True
    )


def as_utc(moment: datetime) -> datetime:
    """A moment in UTC; a time without a zone is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix, as every time in the API is written."""
    return as_utc(moment).isoformat(timespec="microseconds").replace("+00:00", "Z")
