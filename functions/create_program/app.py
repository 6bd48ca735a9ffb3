"""POST /api/loyalty-programs: create a program owned by the caller."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import errors, programs
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models.programs import ProgramReplace
from loyalty.routes import AUTHENTICATED, BODY_FAILURES, TOKEN_FAILURES, responses

app = create_app()


@app.post(
    "/api/loyalty-programs",
    summary="Create a program",
    operation_id="create_program",
    tags=["Loyalty programs"],
    security=AUTHENTICATED,
    responses=responses(
        201, "Program", *BODY_FAILURES, *TOKEN_FAILURES, errors.DatabaseUnavailableError
    ),
)
def create_program(data: Annotated[ProgramReplace, Body()]) -> tuple[dict, int]:
    return programs.create_program(caller_token(app), data), 201


handler = lambda_handler(app)
