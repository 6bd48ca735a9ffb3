"""DELETE /api/loyalty-programs/{id}: delete a program with its members and transactions."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from loyalty import errors, programs
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import QueryId
from loyalty.routes import AUTHENTICATED, TOKEN_FAILURES, responses

app = create_app()


@app.delete(
    "/api/loyalty-programs/<program_id>",
    summary="Delete a program",
    description="Removes the program with its members and their transactions.",
    operation_id="delete_program",
    tags=["Loyalty programs"],
    security=AUTHENTICATED,
    responses=responses(
        204,
        None,
        errors.FieldError,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.DatabaseUnavailableError,
        description="The program is deleted.",
    ),
)
def delete_program(program_id: Annotated[QueryId, Path()]):
    programs.delete_program(caller_token(app), program_id)
    return Response(204)


handler = lambda_handler(app)
