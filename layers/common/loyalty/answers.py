"""What each operation answers, described for the published OpenAPI document.

A route names its answers with :func:`loyalty.routes.responses`: the success answer by the
name of one of the pydantic models below, and its failures as the domain errors that cause
them. Each domain error has a problem model of its own, built from the one error table
(:mod:`loyalty.problems`), so the document tells for every status which ``code`` values may
come and what each one carries.

The models only describe: the views build plain dicts and no answer is validated against them.
Only the document's build (tools/openapi.py) imports this module, so a running function pays
nothing for it, neither at cold start nor later. The tests hold the real answers to the
document instead (tests/http/test_fuzz.py).
"""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from loyalty import errors
from loyalty.models import TierBasis
from loyalty.models.programs import Tier
from loyalty.problems import INTERNAL_ERROR, PROBLEM_JSON, PROBLEMS, Problem

# The two ways to send a token, either one enough, as the document names them (every route that
# needs one says so with loyalty.routes.AUTHENTICATED).
SECURITY_SCHEMES = {
    "token": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The token from POST /api/login, sent as `Authorization: Token <token>`.",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same token, sent as `Authorization: Bearer <token>`.",
    },
}


class Answer(BaseModel):
    """Base of the answer models: exactly these fields, no others."""

    # Nothing validates with these models at run time, so their validators are never built.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Admin(Answer):
    """A registered admin; the password is never answered."""

    id: int
    username: str
    email: str | None
    created_at: datetime


class IssuedToken(Answer):
    """A new token of the admin; send it as ``Authorization: Token <token>``."""

    token: str
    token_type: Literal["Token"]
    user_id: int = Field(description="The admin's id.")
    username: str
    expires_at: datetime


class LoggedOut(Answer):
    """The token used is revoked; the admin's other tokens stay valid."""

    detail: Literal["Logged out."]


class Health(Answer):
    """The API and its database answer."""

    status: Literal["ok"]
    database: Literal["ok"]


class HealthUnavailable(Answer):
    """The database cannot be reached; retry after ``Retry-After`` seconds."""

    status: Literal["unavailable"]
    database: Literal["unavailable"]


class Program(Answer):
    """A loyalty program of the caller."""

    id: int
    name: str
    description: str
    tier_basis: TierBasis
    tiers: list[Tier] = Field(description="Sorted by threshold.")
    owner_id: int
    created_at: datetime
    updated_at: datetime


class Balance(Answer):
    """A member's points in a program."""

    program_id: int
    user_id: str
    balance: int = Field(ge=0)
    lifetime_points: int = Field(ge=0, description="Every point ever earned.")
    tier: str | None = Field(
        description="The highest tier whose threshold the balance (or the lifetime points, "
        "per the program's tier_basis) reaches; null below every tier."
    )
    created_at: datetime
    updated_at: datetime


class Transaction(Answer):
    """One immutable change of a balance."""

    id: int
    program_id: int
    user_id: str
    type: Literal["earn", "redeem"]
    points: int = Field(ge=1)
    balance_after: int = Field(ge=0)
    reason: str | None
    idempotency_key: str | None
    created_at: datetime


class BalanceChange(Balance):
    """The member's balance after an earn or redeem, with the transaction that changed it."""

    transaction: Transaction


class _Page(Answer):
    next_cursor: str | None = Field(
        description="Pass as ``cursor`` for the next page; null on the last page."
    )


class ProgramList(_Page):
    """A page of the caller's programs, newest first."""

    results: list[Program]


class BalanceList(_Page):
    """A page of a program's members, ordered by user_id."""

    results: list[Balance]


class TransactionList(_Page):
    """A page of a program's transactions, newest first."""

    results: list[Transaction]


class InvalidField(Answer):
    """One offending field of a request."""

    field: str
    message: str


class ProblemDocument(Answer):
    """An RFC 9457 problem document; ``code`` is stable and tells the errors apart."""

    type: Literal["about:blank"]
    title: str
    status: int
    code: str
    detail: str


# Members that a problem carries beyond the standard ones.
_EXTRA_MEMBERS: dict[type[errors.LoyaltyError] | None, dict[str, Any]] = {
    errors.FieldError: {"errors": (list[InvalidField], ...)},
    errors.InsufficientPointsError: {"balance": (int, ...), "points": (int, ...)},
    errors.TooManyAttemptsError: {"retry_after": (int, Field(description="Seconds to wait."))},
    None: {"request_id": (str, Field(description="Quote it when reporting the fault."))},
}
# Headers that a problem carries.
_HEADERS: dict[type[errors.LoyaltyError], str] = {
    errors.NotAuthenticatedError: "WWW-Authenticate",
    errors.IdempotencyInProgressError: "Retry-After",
    errors.TooManyAttemptsError: "Retry-After",
    errors.DatabaseUnavailableError: "Retry-After",
}
_HEADER_SPECS = {
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with: `Token`.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
}


def _problem_model(
    problem: Problem, doc: str | None, kind: type[errors.LoyaltyError] | None
) -> type[ProblemDocument]:
    # Named after the code, as clients know it: insufficient_points, InsufficientPointsProblem.
    name = "".join(word.capitalize() for word in problem.code.split("_")) + "Problem"
    return create_model(
        name,
        __base__=ProblemDocument,
        __doc__=doc,
        status=(Literal[problem.status], ...),
        code=(Literal[problem.code], ...),
        **_EXTRA_MEMBERS.get(kind, {}),
    )


PROBLEM_MODELS: dict[type[errors.LoyaltyError] | None, type[ProblemDocument]] = {
    kind: _problem_model(problem, kind.__doc__, kind) for kind, problem in PROBLEMS.items()
}
# An unexpected fault, which any operation may answer; it is always a bug.
PROBLEM_MODELS[None] = _problem_model(
    INTERNAL_ERROR, "An unexpected fault; it is logged, and always a bug.", None
)


def _problem_response(kinds: list[type[errors.LoyaltyError] | None]) -> dict[str, Any]:
    models = [PROBLEM_MODELS[kind] for kind in kinds]
    codes = [(INTERNAL_ERROR if kind is None else PROBLEMS[kind]).code for kind in kinds]
    response: dict[str, Any] = {
        "description": "\n".join(
            f"- `{code}`: {model.__doc__}" for code, model in zip(codes, models, strict=True)
        ),
        # One model, or a union whose members each fix their own code.
        "content": {PROBLEM_JSON: {"model": reduce(or_, models)}},
    }
    names = sorted({name for kind in kinds if (name := _HEADERS.get(kind))})
    if names:
        response["headers"] = {
            name: {**_HEADER_SPECS[name], "required": all(_HEADERS.get(k) == name for k in kinds)}
            for name in names
        }
    return response


def model(answer: str | tuple[str, ...] | dict[str, Any] | None) -> Any:
    """The answer a route names (loyalty.routes): a model of this module by its name, a
    union of them for a tuple of names, or a JSON schema or None as it is."""
    if isinstance(answer, str):
        return globals()[answer]
    if isinstance(answer, tuple):
        return reduce(or_, (globals()[name] for name in answer))
    return answer


def responses(
    status: int,
    answer: Any,
    *failures: type[errors.LoyaltyError],
    description: str | None = None,
    headers: dict[str, Any] | None = None,
    media_type: str = "application/json",
) -> dict[int, Any]:
    """The ``responses`` of a route: its success answer, then per status one problem answer
    for the ``failures`` that give it, and the 500 of an unexpected fault.

    ``answer`` is a model or a union of models, a JSON schema (a dict), or None for no body;
    ``description`` defaults to the model's docstring.
    """
    success: dict[str, Any] = {"description": description or answer.__doc__}
    if isinstance(answer, dict):
        success["content"] = {media_type: {"schema": answer}}
    elif answer is not None:
        success["content"] = {media_type: {"model": answer}}
    if headers:
        success["headers"] = headers
    by_status: dict[int, list[type[errors.LoyaltyError] | None]] = {}
    for kind in (*failures, None):
        problem = INTERNAL_ERROR if kind is None else PROBLEMS[kind]
        by_status.setdefault(problem.status, []).append(kind)
    return {
        status: success,
        **{code: _problem_response(kinds) for code, kinds in sorted(by_status.items())},
    }


# The health check answers an unreachable database itself, with a JSON body of its own rather
# than a problem document.
HEALTH_UNAVAILABLE = {
    "description": HealthUnavailable.__doc__,
    "content": {"application/json": {"model": HealthUnavailable}},
    "headers": {"Retry-After": {**_HEADER_SPECS["Retry-After"], "required": True}},
}
