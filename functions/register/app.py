"""POST /api/register: create an admin account."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import accounts
from loyalty.api import create_app, lambda_handler
from loyalty.models import Register

app = create_app()


@app.post("/api/register")
def register(data: Annotated[Register, Body()]) -> tuple[dict, int]:
    return accounts.register(data), 201


handler = lambda_handler(app)
