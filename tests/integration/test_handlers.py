"""Each handler, invoked with its sample event from events/, against a real PostgreSQL."""

from __future__ import annotations

import hashlib
import re
import uuid

import psycopg

from tests.integration.conftest import PASSWORD, register_and_login
from tests.support.events import event_names, load_event, sample_body
from tests.support.functions import invoke

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_every_sample_event_is_a_rest_api_event_of_a_route_in_the_template() -> None:
    # Given the sample events of the API (the others are CloudFormation's custom resource
    # requests, tests/integration/test_migrations_on_deploy.py)
    names = [name for name in event_names() if not name.startswith("migrations-")]
    # Then there is one per endpoint (two for the two uses of GET /api/point-balances and
    # of the update function), each with the REST payload's keys
    assert names == [
        "create-program",
        "delete-program",
        "docs-page",
        "earn-points",
        "enrol-member",
        "get-balance",
        "get-program",
        "health",
        "list-balances",
        "list-programs",
        "list-transactions",
        "login",
        "logout",
        "openapi-document",
        "patch-program",
        "redeem-points",
        "register",
        "replace-program",
    ]
    for name in names:
        event = load_event(name)
        assert {"resource", "path", "httpMethod", "headers", "requestContext", "body"} <= set(event)


def test_health_reports_the_database() -> None:
    answer = invoke("health", load_event("health"))
    assert answer.status == 200
    assert answer.body == {"status": "ok", "database": "ok"}


def test_register_with_the_sample_event_then_the_same_name_in_other_case_is_taken() -> None:
    # Given the sample body with a username of our own
    username = f"Acme-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "password": PASSWORD, "email": "owner@acme.example"}
    # When it registers
    answer = invoke("register", load_event("register", body=body))
    # Then the admin is created without its password in the answer
    assert answer.status == 201
    assert set(answer.body) == {"id", "username", "email", "created_at"}
    assert answer.body["username"] == username
    assert answer.body["email"] == "owner@acme.example"
    assert ISO_UTC.match(answer.body["created_at"])
    # And the same username in other case is refused
    again = invoke("register", load_event("register", body={**body, "username": username.upper()}))
    assert again.status == 409
    assert again.body["code"] == "username_taken"


def test_login_issues_a_token_and_a_wrong_password_is_refused(database_url: str) -> None:
    username = f"admin-{uuid.uuid4().hex[:8]}"
    invoke("register", load_event("register", body={"username": username, "password": PASSWORD}))
    answer = invoke("login", load_event("login", body={"username": username, "password": PASSWORD}))
    assert answer.status == 200
    assert answer.body["token_type"] == "Token"
    assert answer.body["username"] == username
    assert len(answer.body["token"]) >= 43
    assert ISO_UTC.match(answer.body["expires_at"])
    # The token itself is not stored, only its SHA-256 digest
    digest = hashlib.sha256(answer.body["token"].encode()).digest()
    with psycopg.connect(database_url) as connection:
        stored = connection.execute(
            "SELECT octet_length(token_hash) FROM auth_tokens WHERE token_hash = %s", [digest]
        ).fetchall()
    assert stored == [(32,)]
    wrong = invoke(
        "login", load_event("login", body={"username": username, "password": "not the password"})
    )
    unknown = invoke(
        "login", load_event("login", body={"username": f"x{username}", "password": PASSWORD})
    )
    assert (wrong.status, wrong.body["code"]) == (401, "invalid_credentials")
    assert unknown.body == wrong.body


def test_logout_revokes_only_the_token_used() -> None:
    username = f"admin-{uuid.uuid4().hex[:8]}"
    first = register_and_login(username)
    second = invoke(
        "login", load_event("login", body={"username": username, "password": PASSWORD})
    ).body["token"]
    answer = invoke("logout", load_event("logout", token=first))
    assert (answer.status, answer.body) == (200, {"detail": "Logged out."})
    after = invoke("list_programs", load_event("list-programs", token=first, query=None))
    assert (after.status, after.body["code"]) == (401, "invalid_token")
    still = invoke("list_programs", load_event("list-programs", token=second, query=None))
    assert still.status == 200


def test_program_lifecycle_with_the_sample_events(token: str) -> None:
    # Create with the sample body: tiers are answered sorted by threshold
    created = invoke("create_program", load_event("create-program", token=token))
    assert created.status == 201
    program = created.body
    assert program["name"] == "Coffee Club"
    assert program["tier_basis"] == "lifetime"
    assert [tier["threshold"] for tier in program["tiers"]] == [0, 500, 2000]
    assert program["created_at"] == program["updated_at"]
    # Read it back, field for field
    read = invoke("get_program", load_event("get-program", token=token, program_id=program["id"]))
    assert (read.status, read.body) == (200, program)
    # Replace: fields left out take their defaults
    replaced = invoke(
        "update_program",
        load_event("replace-program", token=token, program_id=program["id"], body={"name": "New"}),
    )
    assert replaced.status == 200
    assert (replaced.body["name"], replaced.body["description"]) == ("New", "")
    assert (replaced.body["tier_basis"], replaced.body["tiers"]) == ("balance", [])
    # Patch: only the fields given change
    patched = invoke(
        "update_program", load_event("patch-program", token=token, program_id=program["id"])
    )
    assert patched.status == 200
    assert patched.body["description"] == "Double points on Mondays."
    assert patched.body["name"] == "New"
    # Listed, newest first
    other = invoke("create_program", load_event("create-program", token=token)).body["id"]
    listed = invoke("list_programs", load_event("list-programs", token=token))
    assert [row["id"] for row in listed.body["results"]] == [other, program["id"]]
    assert listed.body["next_cursor"] is None
    # Deleted: gone for good
    deleted = invoke(
        "delete_program", load_event("delete-program", token=token, program_id=program["id"])
    )
    assert (deleted.status, deleted.body) == (204, None)
    gone = invoke("get_program", load_event("get-program", token=token, program_id=program["id"]))
    assert (gone.status, gone.body["code"]) == (404, "not_found")


def test_member_earns_redeems_and_climbs_tiers(token: str, make_program) -> None:
    program_id = make_program(
        tiers=[{"name": "Gold", "threshold": 1000}, {"name": "Silver", "threshold": 100}]
    )
    # Enrol with the sample body: 0 points, no tier yet
    enrolled = invoke(
        "enrol_member",
        load_event("enrol-member", token=token, body={"program_id": program_id, "user_id": "c-1"}),
    )
    assert enrolled.status == 201
    assert (enrolled.body["balance"], enrolled.body["tier"]) == (0, None)
    again = invoke(
        "enrol_member",
        load_event("enrol-member", token=token, body={"program_id": program_id, "user_id": "c-1"}),
    )
    assert (again.status, again.body["code"]) == (409, "member_exists")
    # Earn with the sample body's points and reason
    earn_body = {**sample_body("earn-points"), "program_id": program_id, "user_id": "c-1"}
    earned = invoke("earn_points", load_event("earn-points", token=token, body=earn_body))
    assert earned.status == 200
    assert (earned.body["balance"], earned.body["lifetime_points"]) == (120, 120)
    assert earned.body["tier"] == "Silver"
    transaction = earned.body["transaction"]
    assert transaction["type"] == "earn"
    assert (transaction["points"], transaction["balance_after"]) == (120, 120)
    assert (transaction["reason"], transaction["idempotency_key"]) == ("order 1001", None)
    # Redeem: balance falls, lifetime points stay, the tier follows the balance
    redeemed = invoke(
        "redeem_points",
        load_event(
            "redeem-points",
            token=token,
            body={"program_id": program_id, "user_id": "c-1", "points": 100},
        ),
    )
    assert redeemed.status == 200
    assert (redeemed.body["balance"], redeemed.body["lifetime_points"]) == (20, 120)
    assert redeemed.body["tier"] is None
    assert redeemed.body["transaction"]["reason"] is None
    # Redeeming more than the balance changes nothing
    refused = invoke(
        "redeem_points",
        load_event(
            "redeem-points",
            token=token,
            body={"program_id": program_id, "user_id": "c-1", "points": 21},
        ),
    )
    assert refused.status == 409
    assert refused.body["code"] == "insufficient_points"
    assert refused.body["balance"] == 20
    assert refused.body["detail"] == "Balance 20 is less than 21 points."
    # The balance reads the same from GET as from the last change, field for field
    read = invoke(
        "get_balances",
        load_event(
            "get-balance", token=token, query={"program_id": str(program_id), "user_id": "c-1"}
        ),
    )
    expected = {key: value for key, value in redeemed.body.items() if key != "transaction"}
    assert (read.status, read.body) == (200, expected)
    # The ledger holds both changes, newest first
    ledger = invoke(
        "list_transactions",
        load_event("list-transactions", token=token, query={"program_id": str(program_id)}),
    )
    assert ledger.status == 200
    assert [
        (row["type"], row["points"], row["balance_after"]) for row in ledger.body["results"]
    ] == [
        ("redeem", 100, 20),
        ("earn", 120, 120),
    ]
    assert ledger.body["results"][0] == redeemed.body["transaction"]


def test_earn_enrols_and_lifetime_tiers_never_demote(token: str, make_program) -> None:
    program_id = make_program(tier_basis="lifetime", tiers=[{"name": "Gold", "threshold": 50}])
    body = {"program_id": program_id, "user_id": "new-member", "points": 60}
    earned = invoke("earn_points", load_event("earn-points", token=token, body=body))
    assert (earned.status, earned.body["balance"], earned.body["tier"]) == (200, 60, "Gold")
    redeemed = invoke("redeem_points", load_event("redeem-points", token=token, body=body))
    assert (redeemed.body["balance"], redeemed.body["lifetime_points"]) == (0, 60)
    assert redeemed.body["tier"] == "Gold"


def test_a_change_of_tiers_shows_at_once(token: str, make_program) -> None:
    program_id = make_program(tiers=[{"name": "Gold", "threshold": 500}])
    body = {"program_id": program_id, "user_id": "m", "points": 100}
    assert (
        invoke("earn_points", load_event("earn-points", token=token, body=body)).body["tier"]
        is None
    )
    invoke(
        "update_program",
        load_event(
            "patch-program",
            token=token,
            program_id=program_id,
            body={"tiers": [{"name": "Gold", "threshold": 100}]},
        ),
    )
    query = {"program_id": str(program_id), "user_id": "m"}
    read = invoke("get_balances", load_event("get-balance", token=token, query=query))
    assert read.body["tier"] == "Gold"


def test_lists_page_without_repeating_or_skipping(token: str, make_program) -> None:
    program_id = make_program()
    for user in ("d", "a", "c", "b"):
        body = {"program_id": program_id, "user_id": user, "points": 5}
        invoke("earn_points", load_event("earn-points", token=token, body=body))
    seen, cursor = [], None
    while True:
        query = {"program_id": str(program_id), "limit": "3"} | (
            {"cursor": cursor} if cursor else {}
        )
        answer = invoke("get_balances", load_event("list-balances", token=token, query=query))
        assert answer.status == 200
        seen += [row["user_id"] for row in answer.body["results"]]
        cursor = answer.body["next_cursor"]
        if cursor is None:
            break
        # A member added between pages lands in order and is not skipped
        if seen == ["a", "b", "c"]:
            body = {"program_id": program_id, "user_id": "e", "points": 1}
            invoke("earn_points", load_event("earn-points", token=token, body=body))
    assert seen == ["a", "b", "c", "d", "e"]
    # Transactions page newest first; a cursor of another list is refused
    query = {"program_id": str(program_id), "limit": "2"}
    first = invoke("list_transactions", load_event("list-transactions", token=token, query=query))
    assert [row["user_id"] for row in first.body["results"]] == ["e", "b"]
    following = invoke(
        "list_transactions",
        load_event(
            "list-transactions", token=token, query={**query, "cursor": first.body["next_cursor"]}
        ),
    )
    assert [row["user_id"] for row in following.body["results"]] == ["c", "a"]
    foreign = invoke(
        "get_balances",
        load_event(
            "list-balances", token=token, query={**query, "cursor": first.body["next_cursor"]}
        ),
    )
    assert (foreign.status, foreign.body["errors"][0]["field"]) == (400, "cursor")


def test_transactions_filter_by_member_type_and_time(token: str, make_program) -> None:
    program_id = make_program()
    for user, kind in (("a", "earn"), ("b", "earn"), ("a", "redeem")):
        body = {"program_id": program_id, "user_id": user, "points": 3}
        name = "earn_points" if kind == "earn" else "redeem_points"
        invoke(name, load_event(f"{kind}-points", token=token, body=body))
    base = {"program_id": str(program_id)}

    def kinds(**query: str) -> list[tuple[str, str]]:
        answer = invoke(
            "list_transactions", load_event("list-transactions", token=token, query=base | query)
        )
        assert answer.status == 200, answer.body
        return [(row["user_id"], row["type"]) for row in answer.body["results"]]

    assert kinds(user_id="a") == [("a", "redeem"), ("a", "earn")]
    assert kinds(type="earn") == [("b", "earn"), ("a", "earn")]
    assert kinds(since="2000-01-01T00:00:00Z", until="2000-01-02T00:00:00Z") == []
    assert len(kinds(since="2000-01-01T00:00:00Z")) == 3
    bad = invoke(
        "list_transactions",
        load_event("list-transactions", token=token, query=base | {"type": "gift"}),
    )
    assert (bad.status, bad.body["errors"][0]["field"]) == (400, "type")


def test_delete_removes_members_and_transactions(
    token: str, make_program, database_url: str
) -> None:
    program_id = make_program()
    body = {"program_id": program_id, "user_id": "m", "points": 7}
    invoke("earn_points", load_event("earn-points", token=token, body=body))
    invoke("delete_program", load_event("delete-program", token=token, program_id=program_id))
    with psycopg.connect(database_url) as connection:
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM balances WHERE program_id = %(p)s),"
            " (SELECT count(*) FROM transactions WHERE program_id = %(p)s)",
            {"p": program_id},
        ).fetchone()
    assert counts == (0, 0)
