"""GET /api/docs: Swagger UI over /api/openapi.json, with its own script and style sheet."""

from loyalty import docs, errors
from loyalty.api import create_app, lambda_handler
from loyalty.routes import responses

app = create_app()


@app.get(
    "/api/docs",
    summary="Interactive documentation",
    description="Swagger UI over this document; try any operation from the page.",
    operation_id="docs_page",
    tags=["Operations"],
    responses=responses(
        200,
        {"type": "string"},
        errors.FieldError,
        description="The page.",
        media_type="text/html",
    ),
)
def docs_page():
    return docs.page_response(app.current_event.path)


@app.get(
    "/api/docs/swagger-ui.js",
    summary="Swagger UI's script",
    operation_id="docs_script",
    tags=["Operations"],
    responses=responses(
        200,
        {"type": "string"},
        errors.FieldError,
        description="The script.",
        media_type="text/javascript",
    ),
)
def docs_script():
    return docs.asset_response("swagger-ui.js")


@app.get(
    "/api/docs/swagger-ui.css",
    summary="Swagger UI's style sheet",
    operation_id="docs_style_sheet",
    tags=["Operations"],
    responses=responses(
        200,
        {"type": "string"},
        errors.FieldError,
        description="The style sheet.",
        media_type="text/css",
    ),
)
def docs_style_sheet():
    return docs.asset_response("swagger-ui.css")


handler = lambda_handler(app)
