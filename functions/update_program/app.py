"""PUT and PATCH /api/loyalty-programs/{id}: replace a program, or change some of its fields."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from loyalty import programs
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import ProgramPatch, ProgramReplace, QueryId

app = create_app()


@app.put("/api/loyalty-programs/<program_id>")
def replace_program(
    program_id: Annotated[QueryId, Path()], data: Annotated[ProgramReplace, Body()]
) -> dict:
    return programs.change_program(caller_token(app), program_id, data)


@app.patch("/api/loyalty-programs/<program_id>")
def patch_program(
    program_id: Annotated[QueryId, Path()], data: Annotated[ProgramPatch, Body()]
) -> dict:
    return programs.change_program(caller_token(app), program_id, data)


handler = lambda_handler(app)
