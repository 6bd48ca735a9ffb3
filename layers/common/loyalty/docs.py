"""The interactive documentation page: Swagger UI over the API's OpenAPI document.

Swagger UI's script and style sheet are the copies bundled in the layer's pinned
aws-lambda-powertools, served by the docs function itself, so the page needs no host but the
API. Every URL in the page is relative to the page, so it works under any stage or base path;
only the page's own trailing slash changes what they are relative to.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import aws_lambda_powertools.event_handler
from aws_lambda_powertools.event_handler import Response

_SWAGGER_UI = Path(aws_lambda_powertools.event_handler.__file__).parent / "openapi" / "swagger_ui"

# The page's name for each asset: Powertools' file and the media type to answer it with.
ASSETS = {
    "swagger-ui.js": ("swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("swagger-ui.min.css", "text/css; charset=utf-8"),
}

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Loyalty API</title>
  <link rel="stylesheet" href="{assets}swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}swagger-ui.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{document}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      // The default would fetch a validity badge from validator.swagger.io.
      validatorUrl: null,
    }});
  </script>
</body>
</html>
"""


def page_response(request_path: str) -> Response:
    """The page, for a request to ``request_path`` (/api/docs or /api/docs/)."""
    if request_path.endswith("/"):
        body = _PAGE.format(assets="", document="../openapi.json")
    else:
        body = _PAGE.format(assets="docs/", document="openapi.json")
    return Response(200, "text/html; charset=utf-8", body)


@cache
def _read(file_name: str) -> str:
    return (_SWAGGER_UI / file_name).read_text(encoding="utf-8")


def asset_response(name: str) -> Response:
    """One of :data:`ASSETS`, read once per execution environment."""
    file_name, media_type = ASSETS[name]
    # They change only with the layer's Powertools, so browsers may keep them for a day.
    headers = {"Cache-Control": "public, max-age=86400"}
    return Response(200, media_type, _read(file_name), headers=headers)
