"""The resolver factory every function uses, so that all of them answer alike.

:func:`create_app` builds a Powertools REST resolver with request validation on and the error
handlers registered: domain errors, validation errors and unexpected faults all become
problem documents through :mod:`loyalty.problems`. :func:`lambda_handler` wraps a resolver
into the Lambda entry point with the request id as the logs' correlation id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.util import extract_origin_header
from aws_lambda_powertools.logging import correlation_paths

from loyalty import errors
from loyalty.observability import logger
from loyalty.problems import INTERNAL_ERROR, error_response, problem_response
from loyalty.security import token_digest, token_from_header
from loyalty.settings import get_settings

if TYPE_CHECKING:
    # Only earn and redeem answer a Change; the other functions need not import balances.
    from loyalty.balances import Change

# Pydantic error types that mean "the body is not a JSON object" rather than "a field is wrong".
_NOT_AN_OBJECT = {"json_invalid", "model_attributes_type", "model_type", "dict_type", "missing"}
# A validation answer names at most this many fields, each name cut to this length, so that a
# body with thousands of unknown keys cannot make a huge answer.
_MAX_FIELD_ERRORS = 20
_MAX_FIELD_NAME = 100
# Any request body is taken for JSON when its media type says so in any case, ``+json``
# suffixes included; anything else is refused as not JSON rather than parsed as a form.
_NOT_JSON = "application/x-not-json"


def _parse_json(text: str) -> Any:
    """json.loads whose every failure, including nesting too deep for the parser and integers
    too long to convert, is a JSONDecodeError, which the resolver answers as invalid JSON."""
    try:
        return json.loads(text)
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError("body is not parseable JSON", text[:100], 0) from error


def _normalize_content_type(event: dict[str, Any]) -> None:
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key) or {}
        for name in [name for name in headers if name.lower() == "content-type"]:
            value = headers.pop(name)
            value = value[-1] if isinstance(value, list) and value else value
            media_type = str(value).split(";")[0].strip().lower()
            is_json = media_type == "application/json" or media_type.endswith("+json")
            normalized = "application/json" if is_json else _NOT_JSON
            headers["content-type"] = [normalized] if key == "multiValueHeaders" else normalized


def _field_name(location: tuple[Any, ...]) -> str:
    if location[0] == "header":
        # Powertools lowercases header names; answer in the spelling clients send.
        return "-".join(part.capitalize() for part in str(location[1]).split("-"))
    return ".".join(str(part) for part in location[1:]) or str(location[0])


def _as_domain_error(error: RequestValidationError) -> errors.LoyaltyError:
    problems = error.errors()
    if any(problem["loc"][0] == "path" for problem in problems):
        # A path that names no valid id names no resource.
        return errors.NotFoundError("invalid id in path")
    for problem in problems:
        location = tuple(problem["loc"])
        if problem["type"] == "json_invalid" or (
            location == ("body",) and problem["type"] in _NOT_AN_OBJECT
        ):
            return errors.InvalidJsonError("body is not a JSON object")
    return errors.FieldError(
        [
            {
                "field": _field_name(tuple(problem["loc"]))[:_MAX_FIELD_NAME],
                "message": problem["msg"],
            }
            for problem in problems[:_MAX_FIELD_ERRORS]
        ]
    )


def _cors() -> CORSConfig | None:
    origins = [origin.strip() for origin in get_settings().cors_allowed_origins.split(",")]
    origins = [origin for origin in origins if origin]
    if not origins:
        return None
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        expose_headers=["Retry-After", "Idempotent-Replayed", "WWW-Authenticate"],
        max_age=600,
    )


def answer_error(error: errors.LoyaltyError) -> Response:
    """The answer for a domain error, however the request reached it."""
    if isinstance(error, errors.DatabaseUnavailableError):
        logger.warning("database unavailable")
    return error_response(error, get_settings().retry_after_seconds)


def answer_fault(request_id: str) -> Response:
    """The answer for an unexpected exception, which is logged with its traceback: a bug."""
    logger.exception("unexpected error")
    return problem_response(INTERNAL_ERROR, request_id=request_id)


def create_app() -> APIGatewayRestResolver:
    """A resolver with validation on and every error answered as a problem document."""
    app = APIGatewayRestResolver(
        enable_validation=True, json_body_deserializer=_parse_json, cors=_cors()
    )

    @app.exception_handler(errors.LoyaltyError)
    def _domain_error(error: errors.LoyaltyError) -> Response:
        return answer_error(error)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        return answer_error(_as_domain_error(error))

    @app.exception_handler(RequestUnsupportedContentType)
    def _not_json(_: RequestUnsupportedContentType) -> Response:
        return answer_error(errors.InvalidJsonError("body is not sent as JSON"))

    @app.exception_handler(UnicodeDecodeError)
    def _not_utf8(_: UnicodeDecodeError) -> Response:
        # A base64-encoded body that is not UTF-8 text.
        return answer_error(errors.InvalidJsonError("body is not UTF-8"))

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return answer_error(errors.NotFoundError("no route"))

    @app.exception_handler(Exception)
    def _unexpected(_: Exception) -> Response:
        return answer_fault(app.current_event.request_context.request_id)

    return app


def caller_token(app: APIGatewayRestResolver) -> bytes:
    """The digest of the request's token, as the statements look it up."""
    return token_digest(token_from_header(app.current_event.headers.get("authorization")))


def change_response(change: Change) -> Response:
    """The answer of an earn or redeem; a replay for an idempotency key says so in a header."""
    headers = {"Idempotent-Replayed": "true"} if change.replayed else None
    # The body holds only JSON types already: serialized here, as the resolver would, it skips
    # the resolver's walk of every value in search of types to convert.
    body = json.dumps(change.body, separators=(",", ":"))
    return Response(200, "application/json", body, headers=headers)


# Sent with every answer: no cache keeps an answer that carries balances or a token, and no
# browser guesses a content type other than the one declared.
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


# Headers whose value a route reads, and which a client must therefore send at most once.
_SINGLE_HEADERS = {"idempotency-key": "Idempotency-Key", "authorization": "Authorization"}


def resolved_headers(event: dict[str, Any]) -> dict[str, Any]:
    """The request's headers by lower-cased name, from where the resolver reads them: the
    multi-value headers (each a list) when the event has any, else the single ones."""
    headers = event.get("multiValueHeaders") or event.get("headers") or {}
    return {str(name).lower(): value for name, value in headers.items()}


def _repeated_parameters(event: dict[str, Any]) -> errors.FieldError | None:
    # API Gateway hands a function the last of repeated values (a local server may join
    # them); which one a client meant is unknowable, so a parameter or a read header given
    # twice is refused rather than guessed. Header names are case-insensitive, so the values
    # of every spelling of one count together.
    repeated = [
        name
        for name, values in (event.get("multiValueQueryStringParameters") or {}).items()
        if values and len(values) > 1
    ]
    header_values: dict[str, int] = {}
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if name.lower() in _SINGLE_HEADERS:
            header_values[name.lower()] = header_values.get(name.lower(), 0) + len(values or ())
    repeated += [_SINGLE_HEADERS[name] for name, count in header_values.items() if count > 1]
    if not repeated:
        return None
    return errors.FieldError(
        [{"field": name, "message": "must be given at most once"} for name in sorted(repeated)]
    )


def _with_headers(result: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    multi = result.setdefault("multiValueHeaders", {})
    for name, value in headers.items():
        multi.setdefault(name, [value])
    return result


def as_result(response: Response) -> dict[str, Any]:
    """A response as the Lambda result that API Gateway reads, shaped as the resolver shapes
    it for a REST API (headers as lists), for answers given without the resolver."""
    return {
        "statusCode": response.status_code,
        "body": response.body,
        "isBase64Encoded": False,
        "multiValueHeaders": {name: [value] for name, value in response.headers.items()},
    }


DirectPath = Callable[[dict[str, Any]], dict[str, Any] | None]
"""Answers a request without the resolver, or None to leave it to the resolver."""


def lambda_handler(
    app: APIGatewayRestResolver, direct: DirectPath | None = None
) -> Callable[[dict, Any], dict]:
    """The Lambda entry point of a function whose routes ``app`` holds.

    ``direct`` (earn and redeem, :mod:`loyalty.direct`) may answer a well-formed request
    itself, more cheaply; whatever it leaves goes to the resolver.
    """

    cors = _cors()

    @logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False
    )
    def handler(event: dict, context: Any) -> dict:
        _normalize_content_type(event)
        refused = _repeated_parameters(event)
        if refused is not None:
            response = error_response(refused, get_settings().retry_after_seconds)
            # Refused before the resolver, so given the CORS headers it would have added.
            origin = cors and cors.allowed_origin(extract_origin_header(resolved_headers(event)))
            if origin:
                response.headers.update(cors.to_dict(origin))
            result = as_result(response)
        else:
            result = direct(event) if direct is not None else None
            if result is None:
                result = app.resolve(event, context)
        return _with_headers(result, SECURITY_HEADERS)

    return handler
