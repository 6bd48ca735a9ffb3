"""A small JSON client for the local API, and the server process that serves it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


class Client:
    """Sends requests to one base URL, with an optional token."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.token = token

    def with_token(self, token: str | None) -> Client:
        return Client(self.base_url, token)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        sent.update(headers or {})
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=sent
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, answer_headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, content = error.code, error.headers, error.read()
        parsed = json.loads(content) if content else None
        return Reply(status, {k.lower(): v for k, v in answer_headers.items()}, parsed)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, body, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_environment() -> dict[str, str]:
    # As with sam local, a shell variable that the template declares overrides the template's
    # value; the session's own settings must not override the parameters given here.
    declared = {"DATABASE_URL", "PASSWORD_HASH_COST", "TOKEN_TTL_SECONDS"}
    env = {name: value for name, value in os.environ.items() if name not in declared}
    return {**env, "SAM_CLI_TELEMETRY": "0"}


def start_local_api(
    database_url: str, *, workers: int = 4, extra_parameters: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """Start the local API of template.yaml on a free port, as ``make run`` does."""
    port = free_port()
    logs = ROOT / ".pytest_cache" / "local-api"
    logs.mkdir(parents=True, exist_ok=True)
    log = (logs / f"{port}.log").open("w")
    process = subprocess.Popen(
        [
            str(SAM_PYTHON),
            "-m",
            "tools.local_api.serve",
            "--template",
            "template.yaml",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--parameter-overrides",
            f"DatabaseUrl={database_url}",
            "PasswordHashCost=12",
            *extra_parameters,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_server_environment(),
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local API exited with {process.returncode}; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, base_url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"local API did not listen within 60 s; see {log.name}")


def stop_local_api(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
