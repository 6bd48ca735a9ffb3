"""Every route of the contract through the local API, as a client sees it."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest

from tests.http.conftest import PASSWORD, new_admin
from tests.support.http import Client

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_health_needs_no_token(api: Client) -> None:
    for path in ("/api/health", "/api/health/"):
        reply = api.get(path)
        assert (reply.status, reply.body) == (200, {"status": "ok", "database": "ok"})


def test_the_main_flow_end_to_end(api: Client) -> None:
    # Register and log in
    username = f"Shop-{uuid.uuid4().hex[:10]}"
    registered = api.post(
        "/api/register/", {"username": username, "password": PASSWORD, "email": "me@shop.example"}
    )
    assert registered.status == 201
    assert registered.headers["content-type"] == "application/json"
    logged_in = api.post("/api/login", {"username": username.lower(), "password": PASSWORD})
    assert logged_in.status == 200
    assert logged_in.body["user_id"] == registered.body["id"]
    shop = api.with_token(logged_in.body["token"])
    # Create a program with tiers
    program = shop.post(
        "/api/loyalty-programs",
        {
            "name": "Bakery",
            "tiers": [{"name": "Gold", "threshold": 500}, {"name": "Bronze", "threshold": 0}],
        },
    ).body
    assert program["owner_id"] == registered.body["id"]
    assert [tier["name"] for tier in program["tiers"]] == ["Bronze", "Gold"]
    # Enrol, earn, redeem
    pid = program["id"]
    enrolled = shop.post("/api/point-balances/", {"program_id": pid, "user_id": "alice"})
    assert (enrolled.status, enrolled.body["tier"]) == (201, "Bronze")
    earned = shop.post(
        "/api/point-balances/earn/", {"program_id": pid, "user_id": "alice", "points": 700}
    )
    assert (earned.status, earned.body["balance"], earned.body["tier"]) == (200, 700, "Gold")
    redeemed = shop.post(
        "/api/point-balances/redeem", {"program_id": pid, "user_id": "alice", "points": 300}
    )
    assert (redeemed.body["balance"], redeemed.body["lifetime_points"]) == (400, 700)
    assert redeemed.body["tier"] == "Bronze"
    # Read the balance, the members and the transactions
    balance = shop.get(f"/api/point-balances/?program_id={pid}&user_id=alice")
    assert balance.body == {k: v for k, v in redeemed.body.items() if k != "transaction"}
    members = shop.get(f"/api/point-balances?program_id={pid}")
    assert members.body == {"results": [balance.body], "next_cursor": None}
    ledger = shop.get(f"/api/transactions/?program_id={pid}")
    assert [row["type"] for row in ledger.body["results"]] == ["redeem", "earn"]
    assert ledger.body["results"][0] == redeemed.body["transaction"]
    assert all(ISO_UTC.match(row["created_at"]) for row in ledger.body["results"])
    # Log out: the token stops working at once
    assert shop.post("/api/logout/").body == {"detail": "Logged out."}
    after = shop.get("/api/loyalty-programs/")
    assert (after.status, after.body["code"]) == (401, "invalid_token")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/loyalty-programs"),
        ("POST", "/api/point-balances/earn"),
        ("GET", "/api/transactions"),
    ],
)
def test_every_route_answers_with_and_without_its_trailing_slash(
    admin: Client, program_id: int, method: str, path: str
) -> None:
    body = {"program_id": program_id, "user_id": "slash", "points": 1} if method == "POST" else None
    query = f"?program_id={program_id}" if path.endswith("transactions") else ""
    for variant in (path, path + "/"):
        reply = admin.request(method, variant + query, body)
        assert reply.status == 200, (variant, reply.body)


def test_program_routes_with_and_without_slash(admin: Client, program_id: int) -> None:
    for suffix in ("", "/"):
        path = f"/api/loyalty-programs/{program_id}{suffix}"
        assert admin.get(path).body["id"] == program_id
        assert admin.request("PATCH", path, {"description": suffix or "none"}).status == 200
        assert admin.request("PUT", path, {"name": f"Renamed{suffix}"}).body["name"] == (
            f"Renamed{suffix}"
        )
    assert admin.request("DELETE", f"/api/loyalty-programs/{program_id}/").status == 204
    assert admin.get(f"/api/loyalty-programs/{program_id}").status == 404


def test_no_authorization_header_is_not_authenticated(api: Client) -> None:
    reply = api.get("/api/loyalty-programs/")
    assert (reply.status, reply.body["code"]) == (401, "not_authenticated")
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["www-authenticate"].startswith("Token")


def test_bearer_is_accepted_like_token(api: Client, admin: Client) -> None:
    reply = api.get("/api/loyalty-programs/", headers={"Authorization": f"Bearer {admin.token}"})
    assert reply.status == 200


def test_lists_take_limit_and_cursor_and_refuse_bad_values(admin: Client) -> None:
    ids = [admin.post("/api/loyalty-programs/", {"name": f"P{i}"}).body["id"] for i in range(3)]
    first = admin.get("/api/loyalty-programs/?limit=2")
    assert [row["id"] for row in first.body["results"]] == [ids[2], ids[1]]
    second = admin.get(f"/api/loyalty-programs/?limit=2&cursor={first.body['next_cursor']}")
    assert ([row["id"] for row in second.body["results"]], second.body["next_cursor"]) == (
        [ids[0]],
        None,
    )
    for query, field in (
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("cursor=forged", "cursor"),
        ("cursor=", "cursor"),
    ):
        reply = admin.get(f"/api/loyalty-programs/?{query}")
        assert (reply.status, reply.body["code"]) == (400, "validation_error"), query
        assert [error["field"] for error in reply.body["errors"]] == [field]


def test_a_path_id_that_is_not_a_positive_integer_is_not_found(admin: Client) -> None:
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999"):
        reply = admin.get(f"/api/loyalty-programs/{bad}/")
        assert (reply.status, reply.body["code"]) == (404, "not_found"), bad


def test_balances_and_transactions_need_program_id(admin: Client) -> None:
    for path in ("/api/point-balances/", "/api/transactions/"):
        reply = admin.get(path)
        assert reply.status == 400
        assert [error["field"] for error in reply.body["errors"]] == ["program_id"]
    reply = admin.get("/api/transactions/?program_id=1.0")
    assert [error["field"] for error in reply.body["errors"]] == ["program_id"]


def test_an_unknown_member_is_not_found(admin: Client, program_id: int) -> None:
    reply = admin.get(f"/api/point-balances/?program_id={program_id}&user_id=ghost")
    assert (reply.status, reply.body["code"]) == (404, "not_found")
    reply = admin.post(
        "/api/point-balances/redeem/", {"program_id": program_id, "user_id": "ghost", "points": 1}
    )
    assert (reply.status, reply.body["code"]) == (404, "not_found")


def test_unicode_user_ids_work_end_to_end(admin: Client, program_id: int) -> None:
    user_id = "клиент-42 😀"
    earned = admin.post(
        "/api/point-balances/earn", {"program_id": program_id, "user_id": user_id, "points": 5}
    )
    assert earned.body["user_id"] == user_id
    read = admin.get(f"/api/point-balances/?program_id={program_id}&user_id={quote(user_id)}")
    assert (read.status, read.body["balance"]) == (200, 5)


def test_another_admins_token_opens_nothing(api: Client) -> None:
    owner, other = new_admin(api), new_admin(api)
    assert owner.token != other.token
    mine = owner.get("/api/loyalty-programs/").body
    theirs = other.get("/api/loyalty-programs/").body
    assert mine == theirs == {"results": [], "next_cursor": None}


def test_transaction_times_must_be_iso_8601_with_a_zone(admin: Client, program_id: int) -> None:
    base = f"/api/transactions/?program_id={program_id}"
    for good in ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00%2B02:00", "20200101T000000Z"):
        assert admin.get(f"{base}&since={good}").status == 200, good
    for bad in ("1700000000", "0", "2020-01-01T00:00:00", "yesterday", "2020-13-01T00:00:00Z"):
        reply = admin.get(f"{base}&until={bad}")
        assert (reply.status, [e["field"] for e in reply.body["errors"]]) == (400, ["until"]), bad
