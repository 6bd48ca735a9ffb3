"""POST /api/point-balances/redeem: take points off a member's balance."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import balances
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import PointsChange

app = create_app()


@app.post("/api/point-balances/redeem")
def redeem_points(change: Annotated[PointsChange, Body()]) -> dict:
    return balances.redeem_points(caller_token(app), change)


handler = lambda_handler(app)
