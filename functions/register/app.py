"""POST /api/register: create an admin account."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import accounts, errors
from loyalty.api import create_app, lambda_handler
from loyalty.models.accounts import Register
from loyalty.routes import BODY_FAILURES, responses

app = create_app()


@app.post(
    "/api/register",
    summary="Register an admin",
    operation_id="register",
    tags=["Accounts"],
    responses=responses(
        201, "Admin", *BODY_FAILURES, errors.UsernameTakenError, errors.DatabaseUnavailableError
    ),
)
def register(data: Annotated[Register, Body()]) -> tuple[dict, int]:
    return accounts.register(data), 201


handler = lambda_handler(app)
