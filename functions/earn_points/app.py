"""POST /api/point-balances/earn: add points to a member's balance, enrolling them if needed."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from loyalty import balances, direct, errors
from loyalty.api import caller_token, change_response, create_app, lambda_handler
from loyalty.models import IdempotencyKey
from loyalty.models.points import PointsChange
from loyalty.routes import AUTHENTICATED, BODY_FAILURES, REPLAYED, TOKEN_FAILURES, responses

PATH = "/api/point-balances/earn"
app = create_app()


@app.post(
    PATH,
    summary="Earn points",
    description="Adds to the member's balance and lifetime points, enrolling the member if "
    "needed. A retry with the same Idempotency-Key answers the first answer again.",
    operation_id="earn_points",
    tags=["Point balances"],
    security=AUTHENTICATED,
    responses=responses(
        200,
        "BalanceChange",
        *BODY_FAILURES,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.IdempotencyInProgressError,
        errors.IdempotencyKeyReusedError,
        errors.DatabaseUnavailableError,
        headers=REPLAYED,
    ),
)
def earn_points(
    change: Annotated[PointsChange, Body()],
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="Idempotency-Key")] = None,
):
    return change_response(balances.earn_points(caller_token(app), change, idempotency_key))


handler = lambda_handler(app, direct=direct.points_change(PATH, balances.earn_points))
