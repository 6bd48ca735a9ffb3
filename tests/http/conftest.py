"""HTTP fixtures: the local API that `make run` serves, started once for the session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import TEST_PASSWORD_HASH_COST
from tests.support.http import Client
from tools.stack import start_local_api, stop_local_api

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def api(database_url: str) -> Iterator[Client]:
    """A client of the local API, serving template.yaml on a free port."""
    process, base_url = start_local_api(
        database_url, workers=4, parameters=(f"PasswordHashCost={TEST_PASSWORD_HASH_COST}",)
    )
    try:
        yield Client(base_url)
    finally:
        stop_local_api(process)


def new_admin(api: Client) -> Client:
    username = f"admin-{uuid.uuid4().hex[:12]}"
    assert api.post("/api/register/", {"username": username, "password": PASSWORD}).status == 201
    reply = api.post("/api/login/", {"username": username, "password": PASSWORD})
    assert reply.status == 200, reply.body
    return api.with_token(reply.body["token"])


@pytest.fixture
def admin(api: Client) -> Client:
    """A client holding the token of a new admin."""
    return new_admin(api)


@pytest.fixture
def program_id(admin: Client) -> int:
    reply = admin.post(
        "/api/loyalty-programs/",
        {"name": "Coffee Club", "tiers": [{"name": "Silver", "threshold": 100}]},
    )
    assert reply.status == 201, reply.body
    return reply.body["id"]
