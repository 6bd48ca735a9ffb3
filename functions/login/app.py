"""POST /api/login: exchange a username and password for a new token."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import accounts, errors
from loyalty.api import create_app, lambda_handler
from loyalty.models.accounts import Login
from loyalty.routes import BODY_FAILURES, responses

app = create_app()


@app.post(
    "/api/login",
    summary="Log in",
    description="Every login issues a new token, which expires after the configured time.",
    operation_id="login",
    tags=["Accounts"],
    responses=responses(
        200,
        "IssuedToken",
        *BODY_FAILURES,
        errors.InvalidCredentialsError,
        errors.TooManyAttemptsError,
        errors.DatabaseUnavailableError,
    ),
)
def login(data: Annotated[Login, Body()]) -> dict:
    return accounts.login(data, app.current_event.request_context.identity.source_ip)


handler = lambda_handler(app)
