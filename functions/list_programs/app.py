"""GET /api/loyalty-programs: the caller's programs, newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from loyalty import errors, programs
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import DEFAULT_LIMIT, QueryLimit
from loyalty.routes import AUTHENTICATED, TOKEN_FAILURES, responses

app = create_app()


@app.get(
    "/api/loyalty-programs",
    summary="List programs",
    operation_id="list_programs",
    tags=["Loyalty programs"],
    security=AUTHENTICATED,
    responses=responses(
        200,
        "ProgramList",
        errors.FieldError,
        *TOKEN_FAILURES,
        errors.DatabaseUnavailableError,
    ),
)
def list_programs(
    limit: Annotated[QueryLimit, Query()] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query()] = None,
) -> dict:
    return programs.list_programs(caller_token(app), limit, cursor)


handler = lambda_handler(app)
