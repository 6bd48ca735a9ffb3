"""Fixtures shared by every test: a real PostgreSQL, the layer on the path, the local API.

Without ``DATABASE_URL`` the session starts a throwaway cluster of its own (scripts/postgres.sh
in a temporary folder) and removes it at the end, so the suite never touches the database of
``make run``. The local API is started on a free port for the HTTP tests only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from loyalty.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


# scrypt at a lower cost than production's 2^17 keeps the hundreds of logins of the suite
# fast; tests/unit/test_security.py checks the production default separately.
TEST_PASSWORD_HASH_COST = "12"


def _start_throwaway_postgres() -> tuple[str, Path]:
    # Under /tmp, not the checkout: as root the cluster belongs to the postgres user, who
    # must reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="loyalty-test-pg-", dir="/tmp"))
    folder.chmod(0o755)
    url = subprocess.run(
        [str(ROOT / "scripts" / "postgres.sh"), "start", str(folder / "cluster")],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "POSTGRES_FSYNC": "off"},
    ).stdout.strip()
    return url, folder


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated PostgreSQL database; the layer's settings point at it."""
    given = os.environ.get("DATABASE_URL")
    folder = None
    if given:
        url = given
    else:
        url, folder = _start_throwaway_postgres()
    os.environ["DATABASE_URL"] = url
    os.environ["PASSWORD_HASH_COST"] = TEST_PASSWORD_HASH_COST
    get_settings.cache_clear()
    subprocess.run(
        [sys.executable, "-m", "loyalty.migrate"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "layers" / "common")},
    )
    try:
        yield url
    finally:
        if folder is not None:
            subprocess.run(
                [str(ROOT / "scripts" / "postgres.sh"), "stop", str(folder / "cluster")],
                check=False,
            )
            shutil.rmtree(folder, ignore_errors=True)
