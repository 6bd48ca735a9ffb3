"""The resolver factory every function uses, so that all of them answer alike.

:func:`create_app` builds a Powertools REST resolver with request validation on and the error
handlers registered: domain errors, validation errors and unexpected faults all become
problem documents through :mod:`loyalty.problems`. :func:`lambda_handler` wraps a resolver
into the Lambda entry point with the request id as the logs' correlation id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from loyalty import errors
from loyalty.balances import Change
from loyalty.observability import logger
from loyalty.problems import INTERNAL_ERROR, error_response, problem_response
from loyalty.security import token_digest, token_from_header
from loyalty.settings import get_settings

# Pydantic error types that mean "the body is not a JSON object" rather than "a field is wrong".
_NOT_AN_OBJECT = {"json_invalid", "model_attributes_type", "model_type", "dict_type", "missing"}


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
            {"field": _field_name(tuple(problem["loc"])), "message": problem["msg"]}
            for problem in problems
        ]
    )


def create_app() -> APIGatewayRestResolver:
    """A resolver with validation on and every error answered as a problem document."""
    app = APIGatewayRestResolver(enable_validation=True)

    @app.exception_handler(errors.LoyaltyError)
    def _domain_error(error: errors.LoyaltyError) -> Response:
        if isinstance(error, errors.DatabaseUnavailableError):
            logger.warning("database unavailable")
        return error_response(error, get_settings().retry_after_seconds)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        return _domain_error(_as_domain_error(error))

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return _domain_error(errors.NotFoundError("no route"))

    @app.exception_handler(Exception)
    def _unexpected(_: Exception) -> Response:
        logger.exception("unexpected error")
        request_id = app.current_event.request_context.request_id
        return problem_response(INTERNAL_ERROR, request_id=request_id)

    return app


def caller_token(app: APIGatewayRestResolver) -> bytes:
    """The digest of the request's token, as the statements look it up."""
    return token_digest(token_from_header(app.current_event.headers.get("authorization")))


def change_response(change: Change) -> Response:
    """The answer of an earn or redeem; a replay for an idempotency key says so in a header."""
    headers = {"Idempotent-Replayed": "true"} if change.replayed else None
    return Response(200, "application/json", change.body, headers=headers)


def lambda_handler(app: APIGatewayRestResolver) -> Callable[[dict, Any], dict]:
    """The Lambda entry point of a function whose routes ``app`` holds."""

    @logger.inject_lambda_context(
        correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False
    )
    def handler(event: dict, context: Any) -> dict:
        return app.resolve(event, context)

    return handler
