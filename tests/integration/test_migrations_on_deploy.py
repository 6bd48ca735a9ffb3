"""The deploy's custom resource: the migration function invoked with CloudFormation's requests.

Each test invokes functions/migrate_database with a sample request from events/ whose
ResponseURL points at a local HTTP server standing in for CloudFormation's pre-signed S3 URL,
and reads the answer that server received, as CloudFormation would.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest

from loyalty.migrate import available_migrations
from loyalty.settings import get_settings
from tests.support.events import load_event
from tests.support.functions import LambdaContext, function_module

SCHEMA_ID = "loyalty-database-schema"
ALL_VERSIONS = ",".join(str(migration.version) for migration in available_migrations())
LATEST = str(available_migrations()[-1].version)


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class CloudFormation:
    """A local stand-in for the pre-signed response URL: it keeps every request it gets."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200

    def answer(self) -> Received:
        (only,) = self.received
        return only


@pytest.fixture
def cloudformation() -> Iterator[CloudFormation]:
    stand_in = CloudFormation(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            headers = {name.lower(): value for name, value in self.headers.items()}
            stand_in.received.append(Received("PUT", self.path, headers, body))
            self.send_response(stand_in.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/response?X-Amz-Signature=abc"
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def empty_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new, empty database of the session's cluster, which the layer's settings point at."""
    name = f"deploy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url.replace("/loyalty?", f"/{name}?")
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        yield url
    finally:
        get_settings.cache_clear()
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _request(kind: str, cloudformation: CloudFormation) -> dict:
    event = load_event(f"migrations-{kind}")
    event["ResponseURL"] = cloudformation.url
    return event


def _invoke(event: dict) -> None:
    context = LambdaContext(function_name="migrate_database")
    function_module("migrate_database").handler(event, context)


def _versions(url: str) -> list[int]:
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def _create_with_an_admin(url: str, cloudformation: CloudFormation) -> None:
    """Migrate the database as the stack's creation does, then give it data."""
    _invoke(_request("create", cloudformation))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO admins (username, username_folded, password_hash) VALUES ('a', 'a', 'x')"
        )
    cloudformation.received.clear()


def _admins(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM admins").fetchone()[0]


def test_create_migrates_an_empty_database_and_answers_success(
    empty_database: str, cloudformation: CloudFormation
) -> None:
    # Given CloudFormation's Create request for a new stack
    event = _request("create", cloudformation)

    # When the function handles it
    _invoke(event)

    # Then every migration is applied and CloudFormation is told so, by a PUT to its URL
    assert _versions(empty_database) == [m.version for m in available_migrations()]
    answer = cloudformation.answer()
    assert answer.method == "PUT"
    assert answer.path == "/response?X-Amz-Signature=abc"
    # The pre-signed URL is signed for an empty content type.
    assert answer.headers["content-type"] == ""
    assert answer.body == {
        "Status": "SUCCESS",
        "Reason": "success",
        "PhysicalResourceId": SCHEMA_ID,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": "DatabaseMigrations",
        "NoEcho": False,
        "Data": {"Applied": ALL_VERSIONS, "SchemaVersion": LATEST},
    }


def test_update_applies_only_what_is_missing_and_keeps_the_physical_id(
    empty_database: str, cloudformation: CloudFormation
) -> None:
    # Given a database the stack's creation migrated, holding data
    _create_with_an_admin(empty_database, cloudformation)

    # When the stack is updated (a new layer version)
    event = _request("update", cloudformation)
    _invoke(event)

    # Then nothing is applied again, the data is there, and the same resource succeeded
    assert cloudformation.answer().body["Status"] == "SUCCESS"
    assert cloudformation.answer().body["PhysicalResourceId"] == event["PhysicalResourceId"]
    assert cloudformation.answer().body["Data"] == {"Applied": "none", "SchemaVersion": LATEST}
    assert _admins(empty_database) == 1


def test_delete_answers_success_and_drops_nothing(
    empty_database: str, cloudformation: CloudFormation
) -> None:
    # Given a migrated database with data
    _create_with_an_admin(empty_database, cloudformation)

    # When the stack is deleted
    event = _request("delete", cloudformation)
    _invoke(event)

    # Then CloudFormation hears success, and the schema and data stay as they were
    assert cloudformation.answer().body["Status"] == "SUCCESS"
    assert cloudformation.answer().body["PhysicalResourceId"] == SCHEMA_ID
    assert _versions(empty_database) == [m.version for m in available_migrations()]
    assert _admins(empty_database) == 1


def test_delete_succeeds_without_reaching_the_database(
    cloudformation: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a database that cannot be reached (a stack whose creation failed, say)
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@/none?host=/nonexistent")
    get_settings.cache_clear()
    try:
        # When the stack is deleted: then the delete still succeeds, the database untouched
        _invoke(_request("delete", cloudformation))
        assert cloudformation.answer().body["Status"] == "SUCCESS"
    finally:
        get_settings.cache_clear()


def test_a_failing_migration_answers_failed_and_applies_nothing_of_it(
    empty_database: str, cloudformation: CloudFormation
) -> None:
    # Given a database where the first migration cannot run (a table of its name exists)
    with psycopg.connect(empty_database, autocommit=True) as connection:
        connection.execute("CREATE TABLE admins (id integer)")

    # When the stack is created
    event = _request("create", cloudformation)
    _invoke(event)

    # Then CloudFormation is told it failed, and why; the failed migration left nothing behind
    answer = cloudformation.answer().body
    assert answer["Status"] == "FAILED"
    assert answer["PhysicalResourceId"] == SCHEMA_ID
    assert answer["RequestId"] == event["RequestId"]
    assert answer["Reason"].startswith('DuplicateTable: relation "admins" already exists')
    assert answer["Reason"].endswith("(log stream test)")
    assert answer["Data"] == {}
    assert _versions(empty_database) == []
    with psycopg.connect(empty_database) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    assert tables == 2  # admins as it was, and the empty schema_migrations


def test_an_unreachable_database_fails_the_update(
    cloudformation: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a database that cannot be reached
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@/none?host=/nonexistent")
    get_settings.cache_clear()
    try:
        # When the stack is updated
        _invoke(_request("update", cloudformation))
    finally:
        get_settings.cache_clear()

    # Then the update fails (and CloudFormation rolls it back) instead of waiting an hour
    answer = cloudformation.answer().body
    assert answer["Status"] == "FAILED"
    assert answer["PhysicalResourceId"] == SCHEMA_ID
    assert answer["Reason"].startswith("OperationalError: connection ")
    assert "/nonexistent/.s.PGSQL.5432" in answer["Reason"]


def test_an_answer_cloudformation_did_not_take_is_raised_for_lambda_to_retry(
    empty_database: str, cloudformation: CloudFormation
) -> None:
    # Given a response URL that refuses the answer
    cloudformation.status = 500

    # When the function handles a request: then it fails, so that Lambda retries it
    with pytest.raises(urllib.error.HTTPError):
        _invoke(_request("create", cloudformation))
    assert len(cloudformation.received) == 1
