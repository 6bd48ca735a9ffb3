"""Settings of the running function, read once from the environment at cold start.

Nothing else in the layer reads ``os.environ``: code asks :func:`get_settings` instead, and a
bad value fails the cold start with a message that names the variable.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Settings(BaseModel):
    """What a function can be configured with; field names are the variable names, lowercased."""

    # Its validator is built when the settings are first read, by the first request.
    model_config = ConfigDict(frozen=True, defer_build=True)

    # Locally (and in tests) the database is given by its URL; in AWS by the Secrets Manager
    # secret that holds its credentials (the JSON that RDS manages). The URL wins when both are
    # set, so a deployed function can be pointed at another database without a new secret.
    database_url: str = Field(default="", description="libpq connection string or URI")
    database_secret_arn: str = Field(default="", description="ARN or name of the secret")
    # A read secret is reused for this long; a rejected password refreshes it at once.
    database_secret_max_age: int = Field(default=300, ge=0, le=86_400, description="seconds")
    # RDS Proxy's endpoint, used instead of the host that the secret names.
    database_proxy_endpoint: str = Field(default="", description="host name")
    # TLS for connections built from the secret; a DATABASE_URL says its own sslmode.
    database_sslmode: Literal["disable", "prefer", "require", "verify-ca", "verify-full"] = (
        "require"
    )
    db_connect_timeout: int = Field(default=5, ge=1, le=60, description="seconds")
    db_statement_timeout_ms: int = Field(default=5000, ge=100, le=900_000)
    # psycopg prepares a statement after this many runs; 0 turns it off (RDS Proxy pins
    # the connection of a session that prepares statements).
    db_prepare_threshold: int = Field(default=5, ge=0)
    token_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60, le=365 * 24 * 3600)
    # log2 of scrypt's cost N; 17 is OWASP's recommendation (N=2^17, r=8, p=1).
    password_hash_cost: int = Field(default=17, ge=10, le=20)
    retry_after_seconds: int = Field(default=2, ge=1, le=3600)
    # Browser origins allowed to call the API, comma-separated; empty means no CORS headers.
    cors_allowed_origins: str = ""
    # Login throttling: after this many failures for a username from one address within the
    # window, that address waits a lockout that doubles with each further failure, up to the
    # maximum. Other addresses are not locked out, so an attacker cannot lock out a real admin;
    # past ten times as many failures from all addresses together, all wait one base lockout.
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    login_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=30, ge=1)
    login_max_lockout_seconds: int = Field(default=900, ge=1)


def _read_environment() -> Settings:
    names = Settings.model_fields.keys()
    values = {name: os.environ[name.upper()] for name in names if os.environ.get(name.upper())}
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        wrong = ", ".join(str(e["loc"][0]).upper() for e in error.errors())
        raise RuntimeError(f"invalid settings in the environment: {wrong}") from error


@cache
def get_settings() -> Settings:
    """The settings of this process, read on first use."""
    return _read_environment()
