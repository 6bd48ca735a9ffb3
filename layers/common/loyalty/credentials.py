"""Where the database's connection string comes from: ``DATABASE_URL``, or Secrets Manager.

Locally and in the tests ``DATABASE_URL`` is the whole answer and nothing talks to AWS. In AWS
the functions are given ``DATABASE_SECRET_ARN`` instead: the secret (the JSON that RDS keeps,
``username`` and ``password``, with ``host``, ``port`` and ``dbname`` when RDS manages the
rotation) is read through Powertools' parameters utility on the first connect of an execution
environment, then served from its cache for ``DATABASE_SECRET_MAX_AGE`` seconds. When the
database rejects the password (the secret was rotated since it was read), :mod:`loyalty.db`
asks for it again with ``refresh=True``, which skips the cache.

Powertools' parameters utility imports boto3, which costs a cold start tens of milliseconds,
so it is imported here only when a secret is actually read. A secret that cannot be read or
does not hold credentials is logged with a clear message and answered as
:class:`~loyalty.errors.DatabaseUnavailableError` (503) on each request, never as a failed cold
start, so a fixed secret is picked up without a redeploy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
from psycopg.conninfo import make_conninfo
from pydantic import ValidationError

from loyalty.errors import DatabaseUnavailableError
from loyalty.observability import logger
from loyalty.settings import Settings

if TYPE_CHECKING:
    from loyalty.database_secret import DatabaseSecret

# The SQLSTATE of a rejected password. libpq reports a failed login without its SQLSTATE, so
# the text of PostgreSQL's message is the sign in practice; a server whose lc_messages is not
# English gets the retry only where the SQLSTATE is known.
_AUTH_FAILED_SQLSTATE = "28P01"
_AUTH_FAILED_TEXT = "password authentication failed"


def connection_string(settings: Settings, *, refresh: bool = False) -> str:
    """The libpq connection string of the database; ``refresh`` re-reads the secret."""
    if settings.database_url:
        return settings.database_url
    if not settings.database_secret_arn:
        logger.error("no database configured: set DATABASE_URL or DATABASE_SECRET_ARN")
        raise DatabaseUnavailableError("no database configured")
    secret = read_secret(settings, refresh=refresh)
    host = settings.database_proxy_endpoint or secret.host
    if not host:
        logger.error(
            "database secret names no host and DATABASE_PROXY_ENDPOINT is not set",
            secret=settings.database_secret_arn,
        )
        raise DatabaseUnavailableError("no database host")
    return make_conninfo(
        "",
        host=host,
        port=secret.port,
        dbname=secret.dbname,
        user=secret.username,
        password=secret.password,
        sslmode=settings.database_sslmode,
    )


def read_secret(settings: Settings, *, refresh: bool = False) -> DatabaseSecret:
    """The credentials in the secret, from Powertools' cache unless ``refresh`` is set."""
    # Imported here: the parameters utility brings boto3, and the secret's model costs a cold
    # start its making; only a secret read needs them.
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415

    from loyalty.database_secret import DatabaseSecret  # noqa: PLC0415

    try:
        value = parameters.get_secret(
            settings.database_secret_arn,
            transform="json",
            max_age=settings.database_secret_max_age,
            force_fetch=refresh,
        )
    except parameters.TransformParameterError as error:
        logger.error("database secret is not JSON", secret=settings.database_secret_arn)
        raise DatabaseUnavailableError("database secret is not JSON") from error
    except parameters.GetParameterError as error:
        # The message is the AWS error's (not found, access denied, throttled): no secret in it.
        logger.error(
            "database secret could not be read",
            secret=settings.database_secret_arn,
            error=str(error),
        )
        raise DatabaseUnavailableError("database secret could not be read") from error
    try:
        return DatabaseSecret.model_validate(value)
    except ValidationError as error:
        # Only the names of the wrong keys: pydantic's messages would quote the values.
        wrong = sorted({str(problem["loc"][0]) for problem in error.errors() if problem["loc"]})
        logger.error(
            "database secret does not hold credentials",
            secret=settings.database_secret_arn,
            keys=wrong or ["(not a JSON object)"],
        )
        raise DatabaseUnavailableError("database secret does not hold credentials") from error


def password_rejected(error: psycopg.OperationalError) -> bool:
    """Whether a failed connect means the server refused the password."""
    return error.sqlstate == _AUTH_FAILED_SQLSTATE or _AUTH_FAILED_TEXT in str(error)
