"""End-to-end smoke test of a running API: the main flow once, then its own cleanup.

``python -m tools.e2e --base-url URL`` (``make e2e BASE_URL=URL``) checks any instance, the
local one (``http://127.0.0.1:3000``) or a deployed stage (the stack's ``ApiUrl`` output): the
health check, register, login, a program, an earn with an ``Idempotency-Key`` and its replay,
a redeem, the balance, the transactions, the program's deletion, then logout and the revoked
token. Each step prints one line; the first answer that is not the one the contract promises
stops the run with exit status 1. It leaves only its admin account (``e2e-<random>``), which
the API has no route to delete; the program and its ledger are deleted.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import uuid
from collections.abc import Callable
from typing import Any

from tools.load import call

# The password of the throwaway admin each run registers.
PASSWORD = "smoke test password"  # noqa: S105


class SmokeTestError(Exception):
    """An answer that is not the one the contract promises."""


class Session:
    """Calls the API under test, with the token once there is one, and checks each answer."""

    def __init__(self, base_url: str, out: Callable[[str], None]) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None
        self.out = out

    def expect(
        self,
        step: str,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        try:
            got, answer = call(self.base_url, method, path, body, sent)
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmokeTestError(f"{step}: {method} {path} failed: {error}") from error
        if got != status:
            raise SmokeTestError(f"{step}: {method} {path} answered {got}, not {status}: {answer}")
        self.out(f"ok  {step}")
        return answer


def check(step: str, condition: bool, detail: Any) -> None:
    if not condition:
        raise SmokeTestError(f"{step}: unexpected answer: {detail}")


def run(base_url: str, out: Callable[[str], None] = print) -> None:
    """Walk the main flow against ``base_url``; raise SmokeTestError at the first wrong answer."""
    api = Session(base_url, out)
    health = api.expect("health", "GET", "/api/health/", 200)
    check("health", health == {"status": "ok", "database": "ok"}, health)

    username = f"e2e-{uuid.uuid4().hex[:12]}"
    credentials = {"username": username, "password": PASSWORD}
    api.expect("register", "POST", "/api/register/", 201, credentials)
    login = api.expect("login", "POST", "/api/login/", 200, credentials)
    api.token = login["token"]

    program = api.expect(
        "create program",
        "POST",
        "/api/loyalty-programs/",
        201,
        {"name": "Smoke test", "tiers": [{"name": "Silver", "threshold": 100}]},
    )
    program_id = program["id"]
    try:
        _points(api, program_id)
    finally:
        # The program goes whatever happened to the points, with its members and ledger.
        api.expect("delete program", "DELETE", f"/api/loyalty-programs/{program_id}/", 204)
    api.expect("program is gone", "GET", f"/api/loyalty-programs/{program_id}/", 404)

    api.expect("logout", "POST", "/api/logout/", 200)
    api.expect("revoked token refused", "GET", "/api/loyalty-programs/", 401)


def _points(api: Session, program_id: int) -> None:
    member = {"program_id": program_id, "user_id": "smoke-member"}
    key = {"Idempotency-Key": f"e2e-{uuid.uuid4().hex}"}
    earn = {**member, "points": 150, "reason": "smoke test earn"}
    earned = api.expect("earn", "POST", "/api/point-balances/earn/", 200, earn, key)
    check("earn", (earned["balance"], earned["tier"]) == (150, "Silver"), earned)
    replay = api.expect("earn replayed", "POST", "/api/point-balances/earn/", 200, earn, key)
    check("earn replayed", replay == earned, replay)

    redeem = {**member, "points": 60, "reason": "smoke test redeem"}
    redeemed = api.expect("redeem", "POST", "/api/point-balances/redeem/", 200, redeem)
    check("redeem", (redeemed["balance"], redeemed["lifetime_points"]) == (90, 150), redeemed)

    query = f"program_id={program_id}&user_id=smoke-member"
    balance = api.expect("balance", "GET", f"/api/point-balances/?{query}", 200)
    check("balance", (balance["balance"], balance["tier"]) == (90, None), balance)

    ledger = api.expect("transactions", "GET", f"/api/transactions/?{query}", 200)
    kinds = [(entry["type"], entry["points"]) for entry in ledger["results"]]
    check("transactions", kinds == [("redeem", 60), ("earn", 150)], ledger)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.e2e", description=__doc__)
    parser.add_argument("--base-url", required=True, help="the API's base URL (before /api/)")
    args = parser.parse_args(argv)
    try:
        run(args.base_url)
    except SmokeTestError as error:
        print(f"FAILED {error}", file=sys.stderr)
        return 1
    print(f"smoke test passed against {args.base_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
