"""GET /api/loyalty-programs/{id}: one of the caller's programs."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from loyalty import errors, programs
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import QueryId
from loyalty.routes import AUTHENTICATED, TOKEN_FAILURES, responses

app = create_app()


@app.get(
    "/api/loyalty-programs/<program_id>",
    summary="Read a program",
    operation_id="get_program",
    tags=["Loyalty programs"],
    security=AUTHENTICATED,
    responses=responses(
        200,
        "Program",
        errors.FieldError,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.DatabaseUnavailableError,
    ),
)
def get_program(program_id: Annotated[QueryId, Path()]) -> dict:
    return programs.get_program(caller_token(app), program_id)


handler = lambda_handler(app)
