"""Passwords, tokens and the ``Authorization`` header.

Passwords are hashed with scrypt (standard library, memory-hard) at OWASP's recommended cost,
N=2^17, r=8, p=1, with a random salt; the stored string names its parameters, so the cost
can be raised later without breaking old hashes. Tokens are 256 random bits; only their
SHA-256 is stored, so a leaked table holds no usable token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from loyalty.errors import InvalidTokenError, NotAuthenticatedError

_SCRYPT_R = 8
_SCRYPT_P = 1
_KEY_BYTES = 32
_TOKEN_BYTES = 32
_SCHEMES = ("token", "bearer")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 2**log2_n
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        # scrypt needs 128 * N * r bytes; the default cap of 32 MiB is below OWASP's cost.
        maxmem=256 * n * r,
        dklen=_KEY_BYTES,
    )


def hash_password(password: str, log2_n: int) -> str:
    """A salted scrypt hash of the password, as ``scrypt$ln=17,r=8,p=1$salt$key``."""
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, log2_n, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt$ln={log2_n},r={_SCRYPT_R},p={_SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches a hash made by :func:`hash_password`."""
    try:
        scheme, params, salt, key = stored.split("$")
        costs = dict(item.split("=") for item in params.split(","))
        expected = base64.b64decode(key)
        actual = _scrypt(
            password, base64.b64decode(salt), int(costs["ln"]), int(costs["r"]), int(costs["p"])
        )
    except (ValueError, KeyError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


@cache
def _decoy_hash(log2_n: int) -> str:
    # Random salt and key: checking any password against it costs a full scrypt and fails.
    salt, key = _b64(secrets.token_bytes(16)), _b64(secrets.token_bytes(_KEY_BYTES))
    return f"scrypt$ln={log2_n},r={_SCRYPT_R},p={_SCRYPT_P}${salt}${key}"


def burn_password_check(password: str, log2_n: int) -> None:
    """Spend the time of one password check, for a username that does not exist.

    Without it an unknown username would answer faster than a wrong password, and the
    difference would tell an attacker which usernames exist.
    """
    verify_password(password, _decoy_hash(log2_n))


def new_token() -> str:
    """A fresh bearer token: 256 bits from the operating system's secure source."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_digest(token: str) -> bytes:
    """What the database stores and looks tokens up by."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def token_from_header(authorization: str | None) -> str:
    """The token of an ``Authorization: Token <t>`` (or ``Bearer <t>``) header.

    No header is :class:`NotAuthenticatedError`; a header that holds no usable token is
    :class:`InvalidTokenError`, as an unknown token would be.
    """
    if authorization is None or not authorization.strip():
        raise NotAuthenticatedError("no authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in _SCHEMES or not token or len(token) > 512 or not token.isascii():
        raise InvalidTokenError("malformed authorization header")
    return token
