"""Bodies of the program routes: a whole program (create, replace) and a partial one."""

# No ``from __future__ import annotations``: see loyalty.models.
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictInt, StrictStr

from loyalty.models import (
    ID_LIMIT,
    NO_CONTROL_CHARACTERS,
    Description,
    ProgramName,
    RequestBody,
    TierBasis,
    no_control_characters,
)


class Tier(RequestBody):
    name: Annotated[
        StrictStr,
        Field(min_length=1, max_length=40, json_schema_extra=NO_CONTROL_CHARACTERS),
        AfterValidator(no_control_characters),
    ]
    threshold: Annotated[StrictInt, Field(ge=0, lt=ID_LIMIT)]


def _distinct_tiers(tiers: list[Tier]) -> list[Tier]:
    if len({tier.name for tier in tiers}) != len(tiers):
        raise ValueError("tier names must be unique in the program")
    if len({tier.threshold for tier in tiers}) != len(tiers):
        raise ValueError("tier thresholds must be unique in the program")
    return sorted(tiers, key=lambda tier: tier.threshold)


Tiers = Annotated[list[Tier], Field(max_length=20), AfterValidator(_distinct_tiers)]


class ProgramReplace(RequestBody):
    """A whole program: POST and PUT. Fields left out take their defaults."""

    name: ProgramName
    description: Description = ""
    tier_basis: TierBasis = "balance"
    tiers: Tiers = []  # noqa: RUF012 - a pydantic field; pydantic copies its default


class ProgramPatch(RequestBody):
    """Some fields of a program: PATCH changes only those given.

    The fields are not nullable: their ``None`` default only marks them as not sent, and an
    explicit ``null`` is rejected like any other wrong type.
    """

    name: ProgramName = Field(default=None)
    description: Description = Field(default=None)
    tier_basis: TierBasis = Field(default=None)
    tiers: Tiers = Field(default=None)

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as column values."""
        return self.model_dump(include=self.model_fields_set)
