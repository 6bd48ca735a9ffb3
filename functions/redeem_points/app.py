"""POST /api/point-balances/redeem: take points off a member's balance."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from loyalty import balances
from loyalty.api import caller_token, change_response, create_app, lambda_handler
from loyalty.models import IdempotencyKey, PointsChange

app = create_app()


@app.post("/api/point-balances/redeem")
def redeem_points(
    change: Annotated[PointsChange, Body()],
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="Idempotency-Key")] = None,
):
    return change_response(balances.redeem_points(caller_token(app), change, idempotency_key))


handler = lambda_handler(app)
