"""Helpers of the local API tests: servers of tools.local_api.serve on the fixture templates.

Each server is a subprocess of .venv-sam's python listening on a free port of 127.0.0.1 (so a
`make run` on port 3000 does not matter), with an environment chosen by the test instead of the
test runner's, and with its terminal output (access log, the workers' stdout and stderr) in a
file the tests read. Requests go through urllib, as any client of the local API would send them.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.stack import free_port

REPO = Path(__file__).resolve().parents[2]
SAM_PYTHON = REPO / ".venv-sam" / "bin" / "python"
FIXTURE = Path(__file__).resolve().parent / "fixture"
TEMPLATE = FIXTURE / "template.yaml"

# The server's environment in the tests: the host variables a worker may get, and markers that
# must not reach (or, for the ones the template declares, must reach) the functions.
SERVER_ENV = {
    "PATH": os.environ["PATH"],
    "AWS_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "local-key",
    "AWS_SECRET_ACCESS_KEY": "local-secret",
    "LOCAL_API_LEAK_MARKER": "must-not-leak",
    "FROM_SHELL": "shell",
    "SHELL_AND_FILE": "shell",
}


@dataclass
class Server:
    """A running local API server and where its terminal output goes."""

    proc: subprocess.Popen
    base_url: str
    output: Path

    def send(self, path: str, data=None, headers: dict | None = None, method: str | None = None):
        """Send one request (a body given as an iterable of bytes goes chunked); return the
        status, the response headers and the raw body."""
        method = method or ("POST" if data is not None else "GET")
        req = urllib.request.Request(self.base_url + path, data, headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def request(self, path: str, data=None, headers: dict | None = None, method: str | None = None):
        """Send one request; return the status and the body, parsed if it is JSON."""
        status, _, body = self.send(path, data, headers, method)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode()

    def log(self) -> str:
        return self.output.read_text()

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signal the server and wait (bounded) until it has exited; return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


def start_server(
    workdir: Path, args: list[str] = (), env: dict | None = None, template: Path = TEMPLATE
) -> Server:
    """Start a server on a fixture template and wait (30 s at most) until it listens."""
    if not SAM_PYTHON.exists():
        pytest.fail(f"the SAM environment is missing: {SAM_PYTHON}")
    port = free_port()
    output = workdir / "server.log"
    command = [SAM_PYTHON, "-m", "tools.local_api.serve", "--template", template]
    command += ["--port", str(port), *args]
    # HOME in the work folder keeps SAM CLI's own settings files out of the real home.
    full_env = {**SERVER_ENV, "HOME": str(workdir), **(env or {})}
    with output.open("wb") as sink:
        proc = subprocess.Popen(
            command, cwd=REPO, env=full_env, stdout=sink, stderr=subprocess.STDOUT
        )
    server = Server(proc, f"http://127.0.0.1:{port}", output)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{server.log()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    pytest.fail(f"the server did not listen within 30 s:\n{server.log()}")


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
