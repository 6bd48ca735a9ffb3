"""POST /api/point-balances/earn: add points to a member's balance, enrolling them if needed."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import balances
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models import PointsChange

app = create_app()


@app.post("/api/point-balances/earn")
def earn_points(change: Annotated[PointsChange, Body()]) -> dict:
    return balances.earn_points(caller_token(app), change)


handler = lambda_handler(app)
