"""GET /api/health: whether the API and its database answer. No token needed."""

from aws_lambda_powertools.event_handler import Response

from loyalty import errors
from loyalty.api import create_app, lambda_handler
from loyalty.health import database_reachable
from loyalty.routes import responses
from loyalty.settings import get_settings

app = create_app()


@app.get(
    "/api/health",
    summary="Health check",
    operation_id="health",
    tags=["Operations"],
    responses=responses(200, "Health", errors.FieldError, more={503: "HEALTH_UNAVAILABLE"}),
)
def health():
    if database_reachable():
        return Response(200, "application/json", {"status": "ok", "database": "ok"})
    return Response(
        503,
        "application/json",
        {"status": "unavailable", "database": "unavailable"},
        headers={"Retry-After": str(get_settings().retry_after_seconds)},
    )


handler = lambda_handler(app)
