"""The one loader of the sample events in events/, so that tests keep them honest.

A test takes the event a user would pass to ``sam local invoke -e`` and changes only what
differs for its case: the token, the body, the query string or the program id in the path.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[2] / "events"


@cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


def event_names() -> list[str]:
    return sorted(path.stem for path in EVENTS.glob("*.json"))


def sample_body(name: str) -> Any:
    """The JSON body of the sample event ``name``."""
    return json.loads(_read(name)["body"])


def load_event(
    name: str,
    *,
    token: str | None = None,
    body: Any = ...,
    query: dict[str, str] | None = ...,
    program_id: int | str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The sample event ``events/<name>.json`` with the given parts replaced.

    ``body`` may be any JSON value (it is serialised) or a ``str`` sent as is; ``token=""``
    removes the ``Authorization`` header.
    """
    event = copy.deepcopy(_read(name))
    if token is not None:
        for key in ("headers", "multiValueHeaders"):
            event[key].pop("Authorization", None)
        if token:
            event["headers"]["Authorization"] = f"Token {token}"
            event["multiValueHeaders"]["Authorization"] = [f"Token {token}"]
    for key, value in (headers or {}).items():
        event["headers"][key] = value
        event["multiValueHeaders"][key] = [value]
    if body is not ...:
        event["body"] = body if isinstance(body, str) or body is None else json.dumps(body)
    if query is not ...:
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = (
            {key: [value] for key, value in query.items()} if query else None
        )
    if program_id is not None:
        path = f"/api/loyalty-programs/{program_id}/"
        event["path"] = path
        event["pathParameters"] = {"program_id": str(program_id)}
        event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{path}"
    return event
