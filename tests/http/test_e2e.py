"""make e2e, the smoke test that CI runs against the deployed stage, against the local API."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg

from tests.support.http import Client

ROOT = Path(__file__).resolve().parents[2]
STEPS = [
    "health",
    "register",
    "login",
    "create program",
    "earn",
    "earn replayed",
    "redeem",
    "balance",
    "transactions",
    "delete program",
    "program is gone",
    "logout",
    "revoked token refused",
]


def _run(base_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "e2e", f"BASE_URL={base_url}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_smoke_test_passes_against_the_local_api_and_cleans_up(
    api: Client, database_url: str
) -> None:
    # Given the local API serving template.yaml
    # When the smoke test runs against it
    result = _run(api.base_url)

    # Then every step passed, in order
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.removeprefix("ok  ") for line in lines if line.startswith("ok  ")] == STEPS
    assert lines[-1] == f"smoke test passed against {api.base_url}"
    # And it left no program of its admin behind
    with psycopg.connect(database_url) as connection:
        left = connection.execute(
            "SELECT count(*) FROM programs p JOIN admins a ON a.id = p.owner_id"
            " WHERE a.username LIKE 'e2e-%'"
        ).fetchone()[0]
    assert left == 0


def test_the_smoke_test_fails_with_the_step_that_went_wrong(api: Client) -> None:
    # Given a base URL whose routes do not exist (the stage name is wrong)
    # When the smoke test runs against it: then it fails at its first step, saying why
    result = _run(f"{api.base_url}/no-such-stage")
    assert result.returncode != 0
    assert "FAILED health: GET /api/health/ answered 404, not 200" in result.stderr
