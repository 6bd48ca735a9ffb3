"""The cold-start baseline: a textbook Powertools REST handler, as its documentation builds one.

A resolver with validation on, a Logger, one pydantic model and psycopg imported. The benchmark
imports it exactly as it imports each function of the API, in the same run, so that every
function's cold start is compared with what any handler on the same libraries pays.
"""

from typing import Annotated

import psycopg  # noqa: F401 - imported for its cost, as a handler that talks to PostgreSQL does
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

logger = Logger()
app = APIGatewayRestResolver(enable_validation=True)


class Order(BaseModel):
    customer_id: str = Field(min_length=1, max_length=255)
    points: int = Field(ge=1)


@app.post("/orders")
def create_order(order: Annotated[Order, Body()]) -> dict:
    return order.model_dump()


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
