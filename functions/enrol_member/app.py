"""POST /api/point-balances: enrol a member in a program with a balance of 0."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from loyalty import balances, errors
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.models.points import Enrolment
from loyalty.routes import AUTHENTICATED, BODY_FAILURES, TOKEN_FAILURES, responses

app = create_app()


@app.post(
    "/api/point-balances",
    summary="Enrol a member",
    operation_id="enrol_member",
    tags=["Point balances"],
    security=AUTHENTICATED,
    responses=responses(
        201,
        "Balance",
        *BODY_FAILURES,
        *TOKEN_FAILURES,
        errors.NotFoundError,
        errors.MemberExistsError,
        errors.DatabaseUnavailableError,
        description="The member, enrolled with 0 points.",
    ),
)
def enrol_member(data: Annotated[Enrolment, Body()]) -> tuple[dict, int]:
    return balances.enrol_member(caller_token(app), data), 201


handler = lambda_handler(app)
