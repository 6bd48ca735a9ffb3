"""Fixtures shared by every test: a real PostgreSQL, the layer on the path, the local API.

Without ``DATABASE_URL`` the session starts a throwaway cluster of its own (scripts/postgres.sh
in a temporary folder) and removes it at the end, so the suite never touches the database of
``make run``. The local API is started on a free port for the HTTP tests only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from loyalty.settings import get_settings
from tools.stack import Postgres, migrate

# scrypt at a lower cost than production's 2^17 keeps the hundreds of logins of the suite
# fast; tests/unit/test_security.py checks the production default separately.
TEST_PASSWORD_HASH_COST = "12"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated PostgreSQL database; the layer's settings point at it."""
    given = os.environ.get("DATABASE_URL")
    cluster = None if given else Postgres(prefix="loyalty-test-pg-")
    url = given or cluster.url
    os.environ["DATABASE_URL"] = url
    os.environ["PASSWORD_HASH_COST"] = TEST_PASSWORD_HASH_COST
    get_settings.cache_clear()
    migrate(url)
    try:
        yield url
    finally:
        if cluster is not None:
            cluster.remove()
