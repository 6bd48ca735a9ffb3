"""The endpoints the benchmark calls, each with its sample event and the data it needs.

Every endpoint is invoked with its own sample event from ``events/``, changed only where the
data of the benchmark's database differs (the token, program and member). Endpoints that use
up what they touch (delete a program, revoke a token, register a username, enrol a member)
get a fresh one for every run, both for the handler and for the bare SQL, from pools made
before the clock starts.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from loyalty.db import Database, database
from loyalty.security import token_digest
from loyalty.settings import get_settings
from tests.support.events import load_event, sample_body
from tests.support.functions import LambdaContext, function_module

PASSWORD = "correct horse battery"
MEMBER = "customer-42"
# Enough points for every redeem of the benchmark; one earn may add at most this many.
STARTING_POINTS = 1_000_000_000
# The password hash is most of what register and login cost, so a few runs tell their cost.
SLOW_RUNS = 8


@dataclass(frozen=True)
class Statement:
    """A statement the layer ran: its final SQL text, its parameters and what it answered."""

    text: str
    params: dict[str, Any]
    answer: Any


@dataclass
class Fixture:
    """The benchmark's data: an admin with a token, programs and a member with points."""

    username: str
    token: str
    admin_id: int
    program_id: int
    other_program_id: int
    database_url: str
    programs_to_delete: Iterator[int] = field(default_factory=lambda: iter(()))
    tokens_to_revoke: Iterator[str] = field(default_factory=lambda: iter(()))


@dataclass(frozen=True)
class Endpoint:
    """One route: how to make an event of it, and how to vary its captured SQL for a bare run.

    ``vary`` answers the parameters of a bare run of the statement at ``index`` among those
    the handler ran; by default the captured parameters serve every run.
    """

    name: str
    function: str
    event: Callable[[Fixture], dict[str, Any]]
    status: int = 200
    round_trip_budget: int | None = None
    runs: int | None = None
    vary: Callable[[Fixture, int, dict[str, Any]], dict[str, Any]] | None = None

    def invoke(self, event: dict[str, Any], context: LambdaContext | None = None) -> dict:
        """Run the handler on ``event``, as Lambda would, and answer its raw result."""
        return function_module(self.function).handler(
            event, context or LambdaContext(self.function)
        )

    def bare_params(self, fixture: Fixture, index: int, params: dict) -> dict:
        return params if self.vary is None else self.vary(fixture, index, params)


def _with_token(name: str) -> Callable[[Fixture], dict[str, Any]]:
    def event(fixture: Fixture) -> dict[str, Any]:
        return load_event(name, token=fixture.token)

    return event


def _change_points(name: str) -> Callable[[Fixture], dict[str, Any]]:
    def event(fixture: Fixture) -> dict[str, Any]:
        body = {**sample_body(name), "program_id": fixture.program_id, "user_id": MEMBER}
        return load_event(name, token=fixture.token, body=body)

    return event


def _in_program(name: str, query: dict[str, str]) -> Callable[[Fixture], dict[str, Any]]:
    def event(fixture: Fixture) -> dict[str, Any]:
        return load_event(
            name, token=fixture.token, query={**query, "program_id": str(fixture.program_id)}
        )

    return event


def _other_program(name: str) -> Callable[[Fixture], dict[str, Any]]:
    def event(fixture: Fixture) -> dict[str, Any]:
        return load_event(name, token=fixture.token, program_id=fixture.other_program_id)

    return event


def _register(_: Fixture) -> dict[str, Any]:
    body = {**sample_body("register"), "username": f"bench-{uuid.uuid4().hex}"}
    return load_event("register", body=body)


def _new_username(_: Fixture, __: int, params: dict[str, Any]) -> dict[str, Any]:
    username = f"bench-bare-{uuid.uuid4().hex}"
    return {**params, "username": username, "folded": username}


def _login(fixture: Fixture) -> dict[str, Any]:
    return load_event("login", body={"username": fixture.username, "password": PASSWORD})


def _new_token_for_login(_: Fixture, index: int, params: dict) -> dict[str, Any]:
    # The second statement of a login stores the new token's digest, which must be unique.
    return {**params, "token": secrets.token_bytes(32)} if index == 1 else params


def _logout(fixture: Fixture) -> dict[str, Any]:
    return load_event("logout", token=next(fixture.tokens_to_revoke))


def _another_token(fixture: Fixture, _: int, params: dict) -> dict[str, Any]:
    return {**params, "token": token_digest(next(fixture.tokens_to_revoke))}


def _delete(fixture: Fixture) -> dict[str, Any]:
    return load_event(
        "delete-program", token=fixture.token, program_id=next(fixture.programs_to_delete)
    )


def _another_program(fixture: Fixture, _: int, params: dict) -> dict[str, Any]:
    return {**params, "program_id": next(fixture.programs_to_delete)}


def _enrol(fixture: Fixture) -> dict[str, Any]:
    body = {"program_id": fixture.program_id, "user_id": f"member-{uuid.uuid4().hex}"}
    return load_event("enrol-member", token=fixture.token, body=body)


def _another_member(_: Fixture, __: int, params: dict) -> dict[str, Any]:
    return {**params, "user_id": f"bare-member-{uuid.uuid4().hex}"}


ENDPOINTS = [
    Endpoint("GET /api/health", "health", lambda _: load_event("health")),
    Endpoint("POST /api/register", "register", _register, 201, runs=SLOW_RUNS, vary=_new_username),
    Endpoint(
        "POST /api/login",
        "login",
        _login,
        round_trip_budget=2,
        runs=SLOW_RUNS,
        vary=_new_token_for_login,
    ),
    Endpoint("POST /api/logout", "logout", _logout, vary=_another_token),
    Endpoint("GET /api/loyalty-programs", "list_programs", _with_token("list-programs")),
    Endpoint("POST /api/loyalty-programs", "create_program", _with_token("create-program"), 201),
    Endpoint("GET /api/loyalty-programs/{id}", "get_program", _other_program("get-program")),
    Endpoint("PUT /api/loyalty-programs/{id}", "update_program", _other_program("replace-program")),
    Endpoint("PATCH /api/loyalty-programs/{id}", "update_program", _other_program("patch-program")),
    Endpoint(
        "DELETE /api/loyalty-programs/{id}", "delete_program", _delete, 204, vary=_another_program
    ),
    Endpoint("POST /api/point-balances", "enrol_member", _enrol, 201, vary=_another_member),
    Endpoint(
        "GET /api/point-balances (one member)",
        "get_balances",
        _in_program("get-balance", {"user_id": MEMBER}),
        round_trip_budget=1,
    ),
    Endpoint(
        "GET /api/point-balances (list)",
        "get_balances",
        _in_program("list-balances", {"limit": "50"}),
        round_trip_budget=1,
    ),
    Endpoint(
        "POST /api/point-balances/earn",
        "earn_points",
        _change_points("earn-points"),
        round_trip_budget=1,
    ),
    Endpoint(
        "POST /api/point-balances/redeem",
        "redeem_points",
        _change_points("redeem-points"),
        round_trip_budget=1,
    ),
    Endpoint(
        "GET /api/transactions",
        "list_transactions",
        _in_program("list-transactions", {"user_id": MEMBER, "limit": "50"}),
        round_trip_budget=1,
    ),
]


def _answer(endpoint: str, result: dict[str, Any], expected: int) -> dict[str, Any]:
    if result["statusCode"] != expected:
        raise RuntimeError(f"{endpoint} answered {result['statusCode']}: {result.get('body')}")
    return result


def _call(function: str, event: dict[str, Any], expected: int) -> dict[str, Any]:
    result = function_module(function).handler(event, LambdaContext(function))
    return json.loads(_answer(function, result, expected)["body"])


def make_fixture(database_url: str, pool_size: int) -> Fixture:
    """An admin, two programs and a member with points, made through the handlers, and pools
    of programs and tokens that the delete and logout runs use up, made in SQL."""
    username = f"bench-{uuid.uuid4().hex[:12]}"
    credentials = {"username": username, "password": PASSWORD}
    _call("register", load_event("register", body=credentials), 201)
    login = _call("login", load_event("login", body=credentials), 200)
    token = login["token"]
    program = _call("create_program", load_event("create-program", token=token), 201)
    other = _call("create_program", load_event("create-program", token=token), 201)
    earn = {"program_id": program["id"], "user_id": MEMBER, "points": STARTING_POINTS}
    _call("earn_points", load_event("earn-points", token=token, body=earn), 200)
    tokens = [secrets.token_urlsafe(32) for _ in range(pool_size)]
    with psycopg.connect(database_url, autocommit=True) as connection:
        programs = connection.execute(
            "INSERT INTO programs (owner_id, name)"
            " SELECT %s, 'to delete ' || n FROM generate_series(1, %s) AS n RETURNING id",
            [login["user_id"], pool_size],
        ).fetchall()
        connection.execute(
            "INSERT INTO auth_tokens (token_hash, admin_id, expires_at)"
            " SELECT digest, %s, now() + interval '1 day' FROM unnest(%s::bytea[]) AS digest",
            [login["user_id"], [token_digest(value) for value in tokens]],
        )
    return Fixture(
        username=username,
        token=token,
        admin_id=login["user_id"],
        program_id=program["id"],
        other_program_id=other["id"],
        database_url=database_url,
        programs_to_delete=iter([row[0] for row in programs]),
        tokens_to_revoke=iter(tokens),
    )


def point_layer_at(database_url: str) -> None:
    """Point this process's layer at another database (none for an empty URL)."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    get_settings.cache_clear()
    database.close()


@contextmanager
def captured_statements() -> Iterator[list[Statement]]:
    """Every statement the layer runs meanwhile, with what the database answered."""
    statements: list[Statement] = []
    original = Database._run

    def recording(self: Database, query: Any, params: Any, fetch: str, read_only: bool) -> Any:
        text = query if isinstance(query, str) else query.as_string(self._open().connection)
        answer = original(self, query, params, fetch, read_only)
        statements.append(Statement(text, copy.copy(params), copy.deepcopy(answer)))
        return answer

    Database._run = recording
    try:
        yield statements
    finally:
        Database._run = original


@contextmanager
def database_replaced_by(statements: list[Statement]) -> Iterator[None]:
    """The layer gets the captured answers, in turn, instead of asking the database: what a
    handler costs then is its Python alone. The layer never changes the rows it is given."""
    answers = itertools.cycle(statements)
    original = Database._run
    Database._run = lambda *_: next(answers).answer
    try:
        yield
    finally:
        Database._run = original


def events(endpoint: Endpoint, fixture: Fixture, count: int) -> list[dict]:
    """``count`` events of the endpoint, made ahead (a handler may change the event it gets)."""
    return [endpoint.event(fixture) for _ in range(count)]


def check(endpoint: Endpoint, result: dict[str, Any]) -> None:
    """Fail the benchmark rather than time an answer that is not the endpoint's success."""
    _answer(endpoint.name, result, endpoint.status)
