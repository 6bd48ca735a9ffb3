"""Integration fixtures: admins and programs made through the handlers themselves."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from tests.support.events import load_event
from tests.support.functions import invoke

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _database(database_url: str) -> None:
    """Every integration test runs against the session's real PostgreSQL."""


def register_and_login(username: str | None = None) -> str:
    username = username or f"admin-{uuid.uuid4().hex[:12]}"
    answer = invoke(
        "register", load_event("register", body={"username": username, "password": PASSWORD})
    )
    assert answer.status == 201, answer.body
    answer = invoke("login", load_event("login", body={"username": username, "password": PASSWORD}))
    assert answer.status == 200, answer.body
    return answer.body["token"]


@pytest.fixture
def token() -> str:
    """The token of a new admin."""
    return register_and_login()


@pytest.fixture
def make_program(token: str) -> Callable[..., int]:
    def make(**fields: object) -> int:
        body = {"name": "Coffee Club", **fields}
        answer = invoke("create_program", load_event("create-program", token=token, body=body))
        assert answer.status == 201, answer.body
        return answer.body["id"]

    return make
