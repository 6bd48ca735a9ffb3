"""GET /api/point-balances: one member's balance (with user_id), or the program's members."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from loyalty import balances, errors
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import DEFAULT_LIMIT, QueryId, QueryLimit, UserId
from loyalty.routes import AUTHENTICATED, TOKEN_FAILURES, responses

app = create_app()


@app.get(
    "/api/point-balances",
    summary="Read a balance or list members",
    description="With user_id, that member's balance (404 if not enrolled); without, a page "
    "of the program's members ordered by user_id.",
    operation_id="get_balances",
    tags=["Point balances"],
    security=AUTHENTICATED,
    responses=responses(
        200,
        ("Balance", "BalanceList"),
        errors.FieldError,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.DatabaseUnavailableError,
        description="A member's balance (with user_id) or a page of members (without).",
    ),
)
def get_balances(
    program_id: Annotated[QueryId, Query()],
    user_id: Annotated[UserId | None, Query()] = None,
    limit: Annotated[QueryLimit, Query()] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query()] = None,
) -> dict:
    token = caller_token(app)
    if user_id is not None:
        return balances.get_balance(token, program_id, user_id)
    return balances.list_balances(token, program_id, limit, cursor)


handler = lambda_handler(app)
