"""PUT and PATCH /api/loyalty-programs/{id}: replace a program, or change some of its fields."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from loyalty import errors, programs
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import QueryId
from loyalty.models.programs import ProgramPatch, ProgramReplace
from loyalty.routes import AUTHENTICATED, BODY_FAILURES, TOKEN_FAILURES, responses

app = create_app()

CHANGE_RESPONSES = responses(
    200,
    "Program",
    *BODY_FAILURES,
    *TOKEN_FAILURES,
    errors.NotFoundError,
    errors.DatabaseUnavailableError,
)


@app.put(
    "/api/loyalty-programs/<program_id>",
    summary="Replace a program",
    description="Replaces name, description, tier_basis and tiers; fields left out take "
    "their defaults.",
    operation_id="replace_program",
    tags=["Loyalty programs"],
    security=AUTHENTICATED,
    responses=CHANGE_RESPONSES,
)
def replace_program(
    program_id: Annotated[QueryId, Path()], data: Annotated[ProgramReplace, Body()]
) -> dict:
    return programs.change_program(caller_token(app), program_id, data)


@app.patch(
    "/api/loyalty-programs/<program_id>",
    summary="Change a program",
    description="Changes only the fields given.",
    operation_id="patch_program",
    tags=["Loyalty programs"],
    security=AUTHENTICATED,
    responses=CHANGE_RESPONSES,
)
def patch_program(
    program_id: Annotated[QueryId, Path()], data: Annotated[ProgramPatch, Body()]
) -> dict:
    return programs.change_program(caller_token(app), program_id, data)


handler = lambda_handler(app)
