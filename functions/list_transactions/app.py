"""GET /api/transactions: a program's transactions, newest first, optionally filtered."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from loyalty import errors, transactions
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import DEFAULT_LIMIT, QueryId, QueryLimit, QueryTime, UserId
from loyalty.routes import AUTHENTICATED, TOKEN_FAILURES, responses

app = create_app()


@app.get(
    "/api/transactions",
    summary="List transactions",
    description="A program's transactions, newest first, optionally of one member, of one "
    "type, or in a time window (since inclusive, until exclusive).",
    operation_id="list_transactions",
    tags=["Transactions"],
    security=AUTHENTICATED,
    responses=responses(
        200,
        "TransactionList",
        errors.FieldError,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.DatabaseUnavailableError,
    ),
)
def list_transactions(
    program_id: Annotated[QueryId, Query()],
    user_id: Annotated[UserId | None, Query()] = None,
    type: Annotated[Literal["earn", "redeem"] | None, Query()] = None,
    since: Annotated[QueryTime | None, Query()] = None,
    until: Annotated[QueryTime | None, Query()] = None,
    limit: Annotated[QueryLimit, Query()] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query()] = None,
) -> dict:
    return transactions.list_transactions(
        caller_token(app),
        program_id,
        user_id=user_id,
        type=type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )


handler = lambda_handler(app)
