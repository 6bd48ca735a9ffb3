"""Request validation: strict types, ranges, and no field the contract does not name."""

import pytest
from pydantic import TypeAdapter, ValidationError

from loyalty.models import QueryId
from loyalty.models.accounts import Register
from loyalty.models.points import Enrolment, PointsChange
from loyalty.models.programs import ProgramPatch, ProgramReplace


def _fields(error: ValidationError) -> list[str]:
    return [".".join(str(part) for part in item["loc"]) for item in error.errors()]


@pytest.mark.parametrize("points", [-500, 0, "50", 10.5, 10.0, True, None, 1_000_000_001])
def test_points_must_be_a_json_integer_from_1_to_a_billion(points: object) -> None:
    with pytest.raises(ValidationError) as raised:
        PointsChange.model_validate({"program_id": 1, "user_id": "u", "points": points})
    assert _fields(raised.value) == ["points"]


@pytest.mark.parametrize("points", [1, 1_000_000_000])
def test_the_bounds_of_points_are_accepted(points: int) -> None:
    change = PointsChange.model_validate({"program_id": 1, "user_id": "u", "points": points})
    assert change.points == points


@pytest.mark.parametrize("user_id", ["", "a" * 256, "tab\there", "nul\x00", "del\x7f", "c1\x85"])
def test_user_ids_are_1_to_255_characters_without_control_characters(user_id: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Enrolment.model_validate({"program_id": 1, "user_id": user_id})
    assert _fields(raised.value) == ["user_id"]


def test_unicode_user_ids_are_welcome() -> None:
    enrolment = Enrolment.model_validate({"program_id": 1, "user_id": "клиент-42 😀"})
    assert enrolment.user_id == "клиент-42 😀"


@pytest.mark.parametrize("field", ["balance", "owner_id", "id", "lifetime_points", "created_at"])
def test_a_field_the_contract_does_not_name_is_rejected(field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        PointsChange.model_validate(
            {"program_id": 1, "user_id": "u", "points": 5, field: 1_000_000}
        )
    assert _fields(raised.value) == [field]


@pytest.mark.parametrize("program_id", [0, -1, "1", 1.0, 2**63, True])
def test_ids_in_bodies_are_positive_json_integers(program_id: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Enrolment.model_validate({"program_id": program_id, "user_id": "u"})
    assert _fields(raised.value) == ["program_id"]


@pytest.mark.parametrize("text", ["1.0", " 1", "+1", "1_0", "0", "-1", "", "9" * 20, "\u0661"])
def test_ids_in_query_strings_are_plain_digits(text: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(QueryId).validate_python(text)


def test_tiers_are_answered_sorted_and_must_be_unique() -> None:
    program = ProgramReplace.model_validate(
        {"name": "P", "tiers": [{"name": "Gold", "threshold": 9}, {"name": "Tin", "threshold": 0}]}
    )
    assert [tier.name for tier in program.tiers] == ["Tin", "Gold"]
    for tiers in (
        [{"name": "A", "threshold": 1}, {"name": "A", "threshold": 2}],
        [{"name": "A", "threshold": 1}, {"name": "B", "threshold": 1}],
        [{"name": "A", "threshold": -1}],
        [{"name": "", "threshold": 1}],
        [{"name": f"T{i}", "threshold": i} for i in range(21)],
    ):
        with pytest.raises(ValidationError):
            ProgramReplace.model_validate({"name": "P", "tiers": tiers})


def test_a_program_needs_a_name_and_takes_defaults_for_the_rest() -> None:
    program = ProgramReplace.model_validate({"name": "P"})
    assert (program.description, program.tier_basis, program.tiers) == ("", "balance", [])
    with pytest.raises(ValidationError):
        ProgramReplace.model_validate({"name": ""})
    with pytest.raises(ValidationError):
        ProgramReplace.model_validate({"name": "P", "tier_basis": "points"})


def test_a_patch_changes_only_what_it_names_and_refuses_null() -> None:
    assert ProgramPatch.model_validate({"description": "d"}).changes() == {"description": "d"}
    assert ProgramPatch.model_validate({}).changes() == {}
    with pytest.raises(ValidationError) as raised:
        ProgramPatch.model_validate({"name": None})
    assert _fields(raised.value) == ["name"]


@pytest.mark.parametrize("username", ["", "a" * 151, "has space", "semi;colon", "slash/"])
def test_usernames_are_letters_digits_and_at_dot_plus_dash_underscore(username: str) -> None:
    with pytest.raises(ValidationError):
        Register.model_validate({"username": username, "password": "12345678"})


def test_register_accepts_the_allowed_characters_and_checks_password_and_email() -> None:
    Register.model_validate({"username": "a.b@c+d-e_f", "password": "12345678", "email": "a@b.co"})
    with pytest.raises(ValidationError):
        Register.model_validate({"username": "ok", "password": "1234567"})
    with pytest.raises(ValidationError):
        Register.model_validate({"username": "ok", "password": "12345678", "email": "not-an-email"})
