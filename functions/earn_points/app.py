"""POST /api/point-balances/earn: add points to a member's balance, enrolling them if needed."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from loyalty import balances
from loyalty.api import caller_token, change_response, create_app, lambda_handler
from loyalty.models import IdempotencyKey, PointsChange

app = create_app()


@app.post("/api/point-balances/earn")
def earn_points(
    change: Annotated[PointsChange, Body()],
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="Idempotency-Key")] = None,
):
    return change_response(balances.earn_points(caller_token(app), change, idempotency_key))


handler = lambda_handler(app)
