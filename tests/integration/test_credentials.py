"""Credentials from Secrets Manager (moto, in this process) for a database that checks passwords.

The database is a cluster of its own whose role ``app`` logs in with a SCRAM password, so that
a rotated password is really refused. Each test points the layer at a secret instead of
``DATABASE_URL`` and sends requests through the handlers, as Lambda would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import psycopg
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS
from moto import mock_aws

from loyalty.db import database
from loyalty.settings import get_settings
from tests.support.events import load_event
from tests.support.functions import invoke
from tools.stack import Postgres, migrate

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = "loyalty/test/database"
LOGIN = {"username": "nobody-here", "password": "correct horse battery"}


class PasswordDatabase:
    """A cluster whose role ``app`` must give its password; the superuser manages it."""

    def __init__(self) -> None:
        self.cluster = Postgres(prefix="loyalty-test-pw-")
        migrate(self.cluster.url)
        self.password = "first-password"
        with psycopg.connect(self.cluster.url, autocommit=True) as admin:
            # A superuser, so that the schema migrated by the cluster's owner is its to use.
            admin.execute(f"CREATE ROLE app LOGIN SUPERUSER PASSWORD '{self.password}'")
            hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
            # Ahead of the cluster's trust rules: the first matching line decides.
            hba.write_text("local all app scram-sha-256\n" + hba.read_text())
            admin.execute("SELECT pg_reload_conf()")

    def secret(self, password: str | None = None, **changes: object) -> str:
        """The secret's JSON as RDS keeps it, with a password and keys changed."""
        value = {
            "engine": "postgres",
            "username": "app",
            "password": password or self.password,
            "host": str(self.cluster.folder),
            "port": 5432,
            "dbname": "loyalty",
            **changes,
        }
        return json.dumps(value)

    def rotate(self, password: str) -> None:
        with psycopg.connect(self.cluster.url, autocommit=True) as admin:
            admin.execute(f"ALTER ROLE app PASSWORD '{password}'")
        self.password = password


@pytest.fixture(scope="module")
def password_database() -> Iterator[PasswordDatabase]:
    database_ = PasswordDatabase()
    try:
        yield database_
    finally:
        database_.cluster.remove()


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A Secrets Manager client of moto, with the layer's settings pointing at SECRET_NAME."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "DATABASE_SECRET_ARN": SECRET_NAME,
        "DATABASE_SSLMODE": "disable",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DATABASE_URL")
    _reset()
    with mock_aws():
        # Powertools keeps its provider (and its client) between calls, as in a warm Lambda;
        # a fresh one here talks to this test's moto.
        DEFAULT_PROVIDERS.clear()
        try:
            yield boto3.client("secretsmanager")
        finally:
            _reset()
            DEFAULT_PROVIDERS.clear()


def _reset() -> None:
    database.close()
    get_settings.cache_clear()
    parameters.clear_caches()


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_the_secret_is_read_once_then_served_from_the_cache(
    secrets, password_database: PasswordDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    # Given the credentials in Secrets Manager
    secrets.create_secret(Name=SECRET_NAME, SecretString=password_database.secret())
    assert invoke("health", load_event("health")).status == 200

    # When the secret changes and the environment opens a new connection within the cache's age
    secrets.put_secret_value(SecretId=SECRET_NAME, SecretString="not even JSON")
    database.close()

    # Then the cached credentials are used: the broken new value is not read
    answer = invoke("health", load_event("health"))
    assert answer.status == 200
    assert answer.body == {"status": "ok", "database": "ok"}
    assert "database secret is not JSON" not in _messages(caplog)


def test_a_rotated_password_is_read_again_and_the_connect_retried_once(
    secrets, password_database: PasswordDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a warm environment that read the secret and connected
    secrets.create_secret(Name=SECRET_NAME, SecretString=password_database.secret())
    assert invoke("health", load_event("health")).status == 200

    # When the password is rotated (database and secret) and the connection is gone
    password_database.rotate("second-password")
    secrets.put_secret_value(SecretId=SECRET_NAME, SecretString=password_database.secret())
    database.close()

    # Then the next request is refused the cached password, reads the secret again and succeeds
    answer = invoke("login", load_event("login", body=LOGIN))
    assert answer.status == 401
    assert answer.body["code"] == "invalid_credentials"
    assert _messages(caplog).count("database password rejected, reading the secret again") == 1


def test_a_password_still_rejected_after_the_refresh_answers_503(
    secrets, password_database: PasswordDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a secret whose password the database does not take, even when read again
    secrets.create_secret(Name=SECRET_NAME, SecretString=password_database.secret("wrong"))

    # When a request needs the database
    answer = invoke("login", load_event("login", body=LOGIN))

    # Then it answers 503 after one refresh, not a loop of them
    assert answer.status == 503
    assert answer.body["code"] == "service_unavailable"
    assert answer.headers["retry-after"] == "2"
    messages = _messages(caplog)
    assert messages.count("database password rejected, reading the secret again") == 1
    assert messages.count("database connection failed") == 1


def test_a_missing_secret_answers_503_with_a_clear_log_line_and_recovers_once_created(
    secrets, password_database: PasswordDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    # Given no secret under the configured name
    # When requests arrive
    first = invoke("login", load_event("login", body=LOGIN))
    health = invoke("health", load_event("health"))

    # Then each answers 503, and the log says why
    assert first.status == 503
    assert first.body["code"] == "service_unavailable"
    assert health.status == 503
    assert health.body == {"status": "unavailable", "database": "unavailable"}
    failures = [
        record
        for record in caplog.records
        if record.getMessage() == "database secret could not be read"
    ]
    assert len(failures) == 2
    assert failures[0].levelname == "ERROR"
    assert failures[0].secret == SECRET_NAME
    assert "ResourceNotFoundException" in failures[0].error

    # And the same environment serves once the secret exists: it is read on the next request
    secrets.create_secret(Name=SECRET_NAME, SecretString=password_database.secret())
    assert invoke("health", load_event("health")).status == 200


@pytest.mark.parametrize(
    ("secret_string", "message", "keys"),
    [
        ("not even JSON", "database secret is not JSON", None),
        (
            '["app", "first-password"]',
            "database secret does not hold credentials",
            ["(not a JSON object)"],
        ),
        (
            '{"username": "app", "host": "db"}',
            "database secret does not hold credentials",
            ["password"],
        ),
        (
            '{"username": "", "password": "s3cr3t-value", "port": "none"}',
            "database secret does not hold credentials",
            ["port", "username"],
        ),
    ],
)
def test_a_malformed_secret_answers_503_and_logs_what_is_wrong_but_no_value(
    secrets,
    caplog: pytest.LogCaptureFixture,
    secret_string: str,
    message: str,
    keys: list[str] | None,
) -> None:
    # Given a secret that holds no usable credentials
    secrets.create_secret(Name=SECRET_NAME, SecretString=secret_string)

    # When a request needs the database
    answer = invoke("login", load_event("login", body=LOGIN))

    # Then it answers 503 and the log names the problem, never the secret's values
    assert answer.status == 503
    assert answer.body["code"] == "service_unavailable"
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert [record.getMessage() for record in errors] == [message]
    assert getattr(errors[0], "keys", None) == keys
    logged = repr([record.__dict__ for record in caplog.records])
    assert "s3cr3t-value" not in logged
    assert "first-password" not in logged


def test_the_proxy_endpoint_replaces_the_host_of_the_secret(
    secrets, password_database: PasswordDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a secret without host, port or dbname (as RDS keeps a master user's secret)
    value = json.loads(password_database.secret())
    for key in ("host", "port", "dbname"):
        del value[key]
    secrets.create_secret(Name=SECRET_NAME, SecretString=json.dumps(value))
    monkeypatch.setenv("DATABASE_PROXY_ENDPOINT", str(password_database.cluster.folder))
    get_settings.cache_clear()

    # When a request needs the database: then it reaches it through the proxy's host, on
    # PostgreSQL's default port, in the default database, which the cluster has
    assert invoke("health", load_event("health")).status == 200


def test_with_database_url_set_a_request_makes_no_aws_call_and_imports_no_sdk(
    database_url: str,
) -> None:
    # Given a function in a fresh interpreter, configured with DATABASE_URL only, and an
    # AWS endpoint that would refuse any call
    folder = ROOT / "functions" / "health"
    probe = (
        "import json, sys, app\n"
        "from tests.support.functions import LambdaContext\n"
        f"event = json.loads(open({str(ROOT / 'events' / 'health.json')!r}).read())\n"
        "answer = app.handler(event, LambdaContext())\n"
        "print(answer['statusCode'], 'boto3' in sys.modules)\n"
    )
    env = {
        "PYTHONPATH": f"{folder}:{ROOT / 'layers' / 'common'}:{ROOT}",
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "DATABASE_SECRET_ARN": SECRET_NAME,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }

    # When it answers a request
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    # Then it answered from the database, without boto3 ever being imported
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "200 False"
