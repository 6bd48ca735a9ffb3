"""The local API's log of a whole session holds no token, password, header or event."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlparse

from tests.support.http import Client
from tools.stack import LOGS


def test_a_full_session_leaves_no_secret_in_the_logs(api: Client) -> None:
    # Given a session with a distinctive password, token and idempotency key
    username = f"logged-{uuid.uuid4().hex[:8]}"
    password = f"pw-{uuid.uuid4().hex}"
    api.post("/api/register/", {"username": username, "password": password})
    api.post("/api/login/", {"username": username, "password": "a wrong password"})
    token = api.post("/api/login/", {"username": username, "password": password}).body["token"]
    shop = api.with_token(token)
    program_id = shop.post("/api/loyalty-programs/", {"name": "Logged"}).body["id"]
    body = {"program_id": program_id, "user_id": "m", "points": 5}
    shop.post("/api/point-balances/earn/", body, headers={"Idempotency-Key": "k-1"})
    shop.post("/api/point-balances/redeem/", {**body, "points": 500})
    shop.post("/api/point-balances/earn/", {**body, "points": "bad"})
    shop.post("/api/logout/")
    shop.get("/api/loyalty-programs/")
    # When the server has written its log of it
    log_file = LOGS / f"{urlparse(api.base_url).port}.log"
    time.sleep(0.5)
    log = log_file.read_text()
    # Then the session is in the log, and no secret is
    assert "POST /api/loyalty-programs/ HTTP/1.1" in log
    assert '"message":"login refused"' in log
    for secret in (
        password,
        token,
        "Authorization",
        "authorization",
        "Token ",
        "multiValueHeaders",
    ):
        assert secret not in log, secret
