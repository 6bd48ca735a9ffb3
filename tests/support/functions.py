"""Invoke a function's handler in this process, as Lambda would, and read its answer."""

from __future__ import annotations

import importlib.util
import json
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@cache
def function_module(name: str) -> ModuleType:
    """``functions/<name>/app.py``, imported once under a name of its own."""
    spec = importlib.util.spec_from_file_location(f"function_{name}", FUNCTIONS / name / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def invoke(name: str, event: dict[str, Any]) -> Answer:
    """Run the handler of function ``name`` on ``event``."""
    result = function_module(name).handler(event, LambdaContext(function_name=name))
    headers = {key.lower(): value for key, value in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(key.lower(), values[-1])
    body = json.loads(result["body"]) if result.get("body") else None
    return Answer(result["statusCode"], headers, body)
