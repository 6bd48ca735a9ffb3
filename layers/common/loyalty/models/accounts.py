"""Bodies of the account routes: register and log in."""

# No ``from __future__ import annotations``: see loyalty.models.
from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr

from loyalty.models import NO_NUL, RequestBody, no_nul


class Register(RequestBody):
    username: Annotated[StrictStr, Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")]
    password: Annotated[
        StrictStr,
        Field(min_length=8, max_length=128, json_schema_extra=NO_NUL),
        AfterValidator(no_nul),
    ]
    email: (
        Annotated[
            StrictStr,
            Field(max_length=254, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"),
        ]
        | None
    ) = None


class Login(RequestBody):
    # Any text may be tried, but PostgreSQL's text cannot hold a NUL character.
    username: Annotated[
        StrictStr,
        Field(min_length=1, max_length=150, json_schema_extra=NO_NUL),
        AfterValidator(no_nul),
    ]
    password: Annotated[StrictStr, Field(min_length=1, max_length=128)]
