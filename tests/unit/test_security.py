"""Password hashing, tokens and the Authorization header."""

import hashlib

import pytest

from loyalty.errors import InvalidTokenError, NotAuthenticatedError
from loyalty.security import (
    hash_password,
    new_token,
    token_digest,
    token_from_header,
    verify_password,
)
from loyalty.settings import Settings


def test_the_default_password_cost_is_owasps_scrypt_recommendation() -> None:
    assert Settings().password_hash_cost == 17


def test_a_hash_names_its_parameters_and_verifies_only_its_password() -> None:
    stored = hash_password("correct horse", 12)
    scheme, params, _salt, _key = stored.split("$")
    assert (scheme, params) == ("scrypt", "ln=12,r=8,p=1")
    assert verify_password("correct horse", stored) is True
    assert verify_password("correct horsE", stored) is False


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("same password", 10) != hash_password("same password", 10)


def test_a_full_cost_hash_verifies() -> None:
    stored = hash_password("production cost", 17)
    assert stored.startswith("scrypt$ln=17,r=8,p=1$")
    assert verify_password("production cost", stored) is True


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$ln=x$a$b", "md5$ln=10,r=8,p=1$AA==$AA=="])
def test_a_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert verify_password("anything", stored) is False


def test_tokens_carry_256_random_bits_and_are_stored_as_sha256() -> None:
    token = new_token()
    assert len(token) == 43  # 32 bytes in URL-safe base64 without padding
    assert new_token() != token
    assert token_digest(token) == hashlib.sha256(token.encode()).digest()


@pytest.mark.parametrize(
    ("header", "token"),
    [("Token abc", "abc"), ("Bearer abc", "abc"), ("token  abc ", "abc"), ("BEARER x", "x")],
)
def test_token_and_bearer_schemes_are_accepted(header: str, token: str) -> None:
    assert token_from_header(header) == token


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_header_is_not_authenticated(header: str | None) -> None:
    with pytest.raises(NotAuthenticatedError):
        token_from_header(header)


@pytest.mark.parametrize(
    "header", ["Basic abc", "Token", "Token ", "abc", "Token " + "a" * 600, "Token é"]
)
def test_a_header_without_a_usable_token_is_an_invalid_token(header: str) -> None:
    with pytest.raises(InvalidTokenError):
        token_from_header(header)
