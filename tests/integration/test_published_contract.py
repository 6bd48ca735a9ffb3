"""The openapi and docs functions, invoked with their sample events as Lambda would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_lambda_powertools.event_handler
import pytest

from tests.support.events import load_event
from tests.support.functions import LambdaContext, function_module

DOCUMENT = Path(__file__).resolve().parents[2] / "functions" / "openapi" / "openapi.json"
SWAGGER_UI = Path(aws_lambda_powertools.event_handler.__file__).parent / "openapi" / "swagger_ui"


def _raw(function: str, event: dict[str, Any]) -> dict[str, Any]:
    return function_module(function).handler(event, LambdaContext(function_name=function))


def _docs_event(path: str) -> dict[str, Any]:
    event = load_event("docs-page")
    event["resource"] = event["requestContext"]["resourcePath"] = path.rstrip("/")
    event["path"] = path
    event["requestContext"]["path"] = f"/v1{path}"
    return event


def test_the_openapi_function_serves_the_committed_document() -> None:
    answer = _raw("openapi", load_event("openapi-document"))
    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert answer["body"] == DOCUMENT.read_text()


@pytest.mark.parametrize(
    ("path", "assets", "document"),
    [("/api/docs/", "", "../openapi.json"), ("/api/docs", "docs/", "openapi.json")],
)
def test_the_page_refers_to_its_assets_and_document_relative_to_itself(
    path: str, assets: str, document: str
) -> None:
    # Given a request for the page, with or without its trailing slash, under a stage
    answer = _raw("docs", _docs_event(path))
    # Then every URL in it resolves, relative to the page, to the API's own routes
    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"] == ["text/html; charset=utf-8"]
    page = answer["body"]
    assert re.findall(r'(?:href|src)="([^"]*)"', page) == [
        f"{assets}swagger-ui.css",
        f"{assets}swagger-ui.js",
    ]
    assert f'url: "{document}"' in page
    assert "validatorUrl: null" in page


@pytest.mark.parametrize(
    ("name", "bundled", "media_type"),
    [
        ("swagger-ui.js", "swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
        ("swagger-ui.css", "swagger-ui.min.css", "text/css; charset=utf-8"),
    ],
)
def test_the_assets_are_the_copies_bundled_with_powertools(
    name: str, bundled: str, media_type: str
) -> None:
    answer = _raw("docs", _docs_event(f"/api/docs/{name}"))
    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"] == [media_type]
    assert answer["multiValueHeaders"]["Cache-Control"] == ["public, max-age=86400"]
    assert answer["body"] == (SWAGGER_UI / bundled).read_text(encoding="utf-8")
