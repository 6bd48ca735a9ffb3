"""The published OpenAPI document: a fresh build of the code, in step with the template.

functions/openapi/openapi.json is what GET /api/openapi.json serves; ``make openapi`` rebuilds
it from the functions' routes (tools/openapi.py). These tests fail when someone changes a
route, a model or the template and forgets to rebuild, or when the document stops telling a
client what the contract promises: every error a problem document, the token scheme on every
route that needs one, an example for every request body.
"""

from __future__ import annotations

import json

import pytest

from loyalty.models import accounts, points, programs
from loyalty.problems import INTERNAL_ERROR, PROBLEM_JSON, PROBLEMS
from tests.test_template import CONTRACT_ROUTES, template_routes
from tools.openapi import DOCUMENT, build_document, render

COMMITTED = json.loads(DOCUMENT.read_text())
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in COMMITTED["paths"].items()
    for method, operation in item.items()
]
# The routes that need no token (API.md): register, login, the health check and the docs.
PUBLIC = {
    ("POST", "/api/register"),
    ("POST", "/api/login"),
    ("GET", "/api/health"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/swagger-ui.js"),
    ("GET", "/api/docs/swagger-ui.css"),
}


def _operation_ids() -> list[str]:
    return [f"{method} {path}" for method, path, _ in OPERATIONS]


def test_the_committed_document_is_a_fresh_build_of_the_code() -> None:
    # Given the routes and models as they are now, when the document is built again
    fresh = render(build_document())
    # Then it is the committed file, to the byte (make openapi rebuilds it)
    assert fresh == DOCUMENT.read_text(), "functions/openapi/openapi.json is stale: make openapi"


def test_the_document_describes_exactly_the_routes_of_the_template() -> None:
    described = {(method, path) for method, path, _ in OPERATIONS}
    assert described == template_routes()
    assert described == CONTRACT_ROUTES


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=_operation_ids())
def test_every_error_answer_is_a_problem_document(method: str, path: str, operation: dict) -> None:
    errors = {status: answer for status, answer in operation["responses"].items() if status >= "4"}
    # Every operation may fault; the health check answers its own 503 as plain JSON (API.md).
    assert "500" in errors
    for status, answer in errors.items():
        if (method, path, status) == ("GET", "/api/health", "503"):
            assert list(answer["content"]) == ["application/json"]
            continue
        assert list(answer["content"]) == [PROBLEM_JSON], status
        schema = answer["content"][PROBLEM_JSON]["schema"]
        branches = schema.get("anyOf", [schema])
        for branch in branches:
            problem = COMMITTED["components"]["schemas"][branch["$ref"].split("/")[-1]]
            assert problem["properties"]["status"]["const"] == int(status)
            assert {"type", "title", "status", "code", "detail"} <= set(problem["required"])


def test_the_document_names_every_code_of_the_error_table() -> None:
    codes = {
        schema["properties"]["code"]["const"]
        for schema in COMMITTED["components"]["schemas"].values()
        if "code" in schema.get("properties", {}) and "const" in schema["properties"]["code"]
    }
    assert codes == {problem.code for problem in PROBLEMS.values()} | {INTERNAL_ERROR.code}


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=_operation_ids())
def test_a_token_is_required_exactly_where_the_contract_says(
    method: str, path: str, operation: dict
) -> None:
    if (method, path) in PUBLIC:
        assert "security" not in operation
        assert "401" not in operation["responses"] or path == "/api/login"
    else:
        assert operation["security"] == [{"token": []}, {"bearer": []}]
        assert "401" in operation["responses"]


def test_the_token_schemes_are_the_authorization_header() -> None:
    schemes = COMMITTED["components"]["securitySchemes"]
    assert schemes["token"]["type"] == "apiKey"
    assert (schemes["token"]["in"], schemes["token"]["name"]) == ("header", "Authorization")
    assert (schemes["bearer"]["type"], schemes["bearer"]["scheme"]) == ("http", "bearer")


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [entry for entry in OPERATIONS if "requestBody" in entry[2]],
    ids=[f"{m} {p}" for m, p, o in OPERATIONS if "requestBody" in o],
)
def test_every_request_body_has_an_example_that_the_api_accepts(
    method: str, path: str, operation: dict
) -> None:
    content = operation["requestBody"]["content"]["application/json"]
    name = content["schema"]["$ref"].split("/")[-1]
    model = next(getattr(m, name) for m in (accounts, points, programs) if hasattr(m, name))
    assert content["examples"]
    for example in content["examples"].values():
        model.model_validate(example["value"])


def test_every_operation_is_under_one_declared_tag() -> None:
    declared = [tag["name"] for tag in COMMITTED["tags"]]
    used = {tuple(operation["tags"]) for _, _, operation in OPERATIONS}
    assert used == {(name,) for name in declared}
