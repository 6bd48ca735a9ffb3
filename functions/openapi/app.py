"""GET /api/openapi.json: the OpenAPI document of the whole API.

On AWS this function is packaged alone and cannot import the others, so the document is built
from all of them at build time (``make openapi``, tools/openapi.py) into openapi.json beside
this file, and served as it is.
"""

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from loyalty import errors
from loyalty.api import create_app, lambda_handler
from loyalty.routes import responses

DOCUMENT = Path(__file__).with_name("openapi.json")

app = create_app()


@cache
def _document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@app.get(
    "/api/openapi.json",
    summary="This document",
    operation_id="openapi_document",
    tags=["Operations"],
    responses=responses(
        200,
        {"type": "object"},
        errors.FieldError,
        description="The OpenAPI 3.1 document of the whole API.",
    ),
)
def openapi_document():
    return Response(200, "application/json", _document())


handler = lambda_handler(app)
