"""POST /api/point-balances/redeem: take points off a member's balance."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from loyalty import balances, direct, errors
from loyalty.api import caller_token, change_response, create_app, lambda_handler
from loyalty.models import IdempotencyKey
from loyalty.models.points import PointsChange
from loyalty.routes import AUTHENTICATED, BODY_FAILURES, REPLAYED, TOKEN_FAILURES, responses

PATH = "/api/point-balances/redeem"
app = create_app()


@app.post(
    PATH,
    summary="Redeem points",
    description="Takes points off the member's balance; lifetime points stay. Refused with "
    "nothing changed when the balance is too low. A retry with the same Idempotency-Key "
    "answers the first answer again.",
    operation_id="redeem_points",
    tags=["Point balances"],
    security=AUTHENTICATED,
    responses=responses(
        200,
        "BalanceChange",
        *BODY_FAILURES,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.InsufficientPointsError,
        errors.IdempotencyInProgressError,
        errors.IdempotencyKeyReusedError,
        errors.DatabaseUnavailableError,
        headers=REPLAYED,
    ),
)
def redeem_points(
    change: Annotated[PointsChange, Body()],
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="Idempotency-Key")] = None,
):
    return change_response(balances.redeem_points(caller_token(app), change, idempotency_key))


handler = lambda_handler(app, direct=direct.points_change(PATH, balances.redeem_points))
