"""The openapi function, invoked with its sample event as Lambda would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.events import load_event
from tests.support.functions import LambdaContext, function_module

DOCUMENT = Path(__file__).resolve().parents[2] / "functions" / "openapi" / "openapi.json"


def _raw(function: str, event: dict[str, Any]) -> dict[str, Any]:
    return function_module(function).handler(event, LambdaContext(function_name=function))


def test_the_openapi_function_serves_the_committed_document() -> None:
    answer = _raw("openapi", load_event("openapi-document"))
    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert answer["body"] == DOCUMENT.read_text()
