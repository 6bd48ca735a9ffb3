"""POST /api/login: exchange a username and password for a new token."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import accounts
from loyalty.api import create_app, lambda_handler
from loyalty.models import Login

app = create_app()


@app.post("/api/login")
def login(data: Annotated[Login, Body()]) -> dict:
    return accounts.login(data, app.current_event.request_context.identity.source_ip)


handler = lambda_handler(app)
