"""Build the API's OpenAPI document from the functions' own routes: ``make openapi``.

On AWS each function is a code package of its own, so the function that serves the document
cannot import the others: the document is built here, at build time, and committed as
functions/openapi/openapi.json beside that function. Every functions/*/app.py is imported as
Lambda imports it (the layer on the path), except that its routes carry the description of
their answers (loyalty.routes.describe_routes); its resolver describes its routes and models
(Powertools' ``get_openapi_schema``), and Powertools' ``OpenAPIMerge`` joins the descriptions
into one document with the API's info and token schemes. Then this module adds what the routes
cannot say and removes what they should not:

- each request body gets its sample event's body (events/*.json) as its example; the
  integration tests run those events, so an example never goes stale;
- optional parameters lose the ``null`` that no query string or header can carry;
- bounds are written back as the integers they are (Powertools' model holds them as floats);
- Powertools' default 422 answer goes: this API answers an invalid request with a 400 problem
  document, which every route declares itself;
- component schemas that nothing refers to go.

``python -m tools.openapi --check`` exits 1 when the committed document is not a fresh build.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

from loyalty.answers import SECURITY_SCHEMES
from loyalty.routes import describe_routes

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ROOT / "functions"
EVENTS = ROOT / "events"
DOCUMENT = FUNCTIONS / "openapi" / "openapi.json"

TITLE = "Loyalty API"
VERSION = "1.0.0"
DESCRIPTION = """\
Loyalty programs with tiers, and the points of their members, for the admins who own them.

**Authentication.** Register, log in, then send the token as `Authorization: Token <token>`
(`Bearer <token>` works too). Register, login, the health check and this documentation need
no token.

**Errors** are RFC 9457 problem documents (`application/problem+json`) with a stable `code`;
each operation lists the codes it may answer. Beside them, API Gateway itself answers a path
or method that no operation has with 404 `not_found`, a body over 10 MiB with 413
`request_too_large`, a function that fails to answer with 502 `bad_gateway` and one that
runs past 29 seconds with 504 `gateway_timeout`, as problem documents too.

**Conventions.** Every path answers with and without a trailing slash. A query parameter
given twice is refused with 400 `validation_error` on any operation. Lists answer a page of
`results` with a `next_cursor` to pass as `cursor`, and never repeat or skip a row added
between pages. Times are ISO 8601 in UTC.
"""
# In the order the page shows them.
TAGS = [
    {"name": "Accounts", "description": "Admins register and log in; each login is a new token."},
    {"name": "Loyalty programs", "description": "The caller's programs and their tiers."},
    {"name": "Point balances", "description": "Members' points: enrol, read, earn, redeem."},
    {"name": "Transactions", "description": "The ledger: every change of a balance."},
    {"name": "Operations", "description": "Health check and this documentation."},
]
# Relative to the document's own URL (.../api/openapi.json): the stage that serves it.
SERVERS = [{"url": "..", "description": "The API stage that serves this document"}]
_COMPONENT_REF = "#/components/schemas/"
# Powertools' OpenAPI model holds these keywords as floats; the API's bounds are all integers.
_NUMBER_KEYWORDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


def _load_resolver(app_file: Path) -> APIGatewayRestResolver | None:
    """The resolver ``app`` of a function, imported under a name of its own; None for a
    function that is no API route (the deploy's migrations)."""
    name = f"openapi_source_{app_file.parent.name}"
    spec = importlib.util.spec_from_file_location(name, app_file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {app_file}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    resolver = getattr(module, "app", None)
    return resolver if isinstance(resolver, APIGatewayRestResolver) else None


def function_schemas() -> dict[str, dict[str, Any]]:
    """Each API function's own description of its routes, by function folder."""
    # Routes carry their answers' description only when asked, before they are declared.
    describe_routes()
    schemas = {}
    for app_file in sorted(FUNCTIONS.glob("*/app.py")):
        resolver = _load_resolver(app_file)
        if resolver is None:
            continue
        text = resolver.get_openapi_json_schema(security_schemes=SECURITY_SCHEMES)
        schemas[app_file.parent.name] = json.loads(text)
    return schemas


def _check_shared_components(schemas: dict[str, dict[str, Any]]) -> None:
    # The merge keeps one schema per name: two functions must mean the same thing by it.
    seen: dict[str, tuple[str, Any]] = {}
    for function, schema in schemas.items():
        for name, definition in schema.get("components", {}).get("schemas", {}).items():
            first = seen.setdefault(name, (function, definition))
            if first[1] != definition:
                raise ValueError(f"schema {name} differs between {first[0]} and {function}")


def _is_default_validation_answer(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref") == _COMPONENT_REF + "HTTPValidationError"


def _sample_bodies() -> dict[tuple[str, str], dict[str, Any]]:
    """The body of each sample event, by (method, resource), as an OpenAPI example."""
    examples: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text())
        if not event.get("body"):
            continue
        key = (event["httpMethod"].lower(), event["resource"])
        if key in examples:
            raise ValueError(f"two sample events with a body for {key}: {path.name}")
        summary = path.stem.replace("-", " ").capitalize()
        examples[key] = {path.stem: {"summary": summary, "value": json.loads(event["body"])}}
    return examples


def _without_null(parameter: dict[str, Any]) -> None:
    """A query string or header cannot carry a JSON null: an optional one is simply left out,
    so the ``null`` branch that Powertools gives an optional parameter goes."""
    schema = parameter["schema"]
    branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == len(schema.get("anyOf", [])):
        return
    del schema["anyOf"]
    if len(branches) == 1:
        schema.update(branches[0])
    else:
        schema["anyOf"] = branches


def _integral_bounds(node: Any) -> None:
    """Write back as integers the bounds that Powertools' model turned into floats (1.0)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _NUMBER_KEYWORDS and isinstance(value, float) and value.is_integer():
                node[key] = int(value)
            else:
                _integral_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _integral_bounds(value)


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _used_schemas(document: dict[str, Any]) -> set[str]:
    """Names of the component schemas that the paths refer to, directly or through others."""
    schemas = document["components"]["schemas"]
    pending = [ref.removeprefix(_COMPONENT_REF) for ref in _refs(document["paths"])]
    used: set[str] = set()
    while pending:
        name = pending.pop()
        if name in used:
            continue
        if name not in schemas:
            raise ValueError(f"reference to a missing schema: {name}")
        used.add(name)
        pending.extend(ref.removeprefix(_COMPONENT_REF) for ref in _refs(schemas[name]))
    return used


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    examples = _sample_bodies()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            for status in [status for status, answer in answers.items() if status == "422"]:
                if _is_default_validation_answer(answers[status]):
                    del answers[status]
            operation["responses"] = {status: answers[status] for status in sorted(answers)}
            for parameter in operation.get("parameters", []):
                _without_null(parameter)
            for answer in operation["responses"].values():
                for content in answer.get("content", {}).values():
                    # Powertools titles a union of answer models after the return parameter.
                    if content.get("schema", {}).get("title") == "Return":
                        del content["schema"]["title"]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                sample = examples.pop((method, path), None)
                if sample is None:
                    raise ValueError(f"no sample event with a body for {method.upper()} {path}")
                body["examples"] = sample
    if examples:
        raise ValueError(f"sample events with a body for no operation: {sorted(examples)}")
    schemas = document["components"]["schemas"]
    used = _used_schemas(document)
    document["components"]["schemas"] = {name: schemas[name] for name in sorted(used)}
    document["paths"] = {path: document["paths"][path] for path in sorted(document["paths"])}
    _integral_bounds(document)
    return document


def build_document() -> dict[str, Any]:
    """The OpenAPI document of the whole API, as the openapi function serves it."""
    schemas = function_schemas()
    _check_shared_components(schemas)
    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        tags=TAGS,
        security_schemes=SECURITY_SCHEMES,
        on_conflict="error",
    )
    for schema in schemas.values():
        merge.add_schema(schema)
    document = _finish(merge.get_openapi_schema())
    document["servers"] = SERVERS
    # Powertools' own model of OpenAPI 3.1 refuses a document of the wrong shape.
    OpenAPI.model_validate(document)
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.openapi", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed document is stale"
    )
    args = parser.parse_args(argv)
    text = render(build_document())
    if args.check:
        if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
            print(f"{DOCUMENT.relative_to(ROOT)} is stale: run make openapi", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
