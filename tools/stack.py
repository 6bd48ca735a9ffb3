"""A throwaway local stack: a PostgreSQL cluster of its own and the local API in front of it.

The test suite and the load run both use it, so that they start the API exactly as
``make run`` does (scripts/postgres.sh, the migrations, tools/local_api on template.yaml) but
on a temporary folder and a free port, beside any ``make run`` already serving.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SCRIPT = ROOT / "scripts" / "postgres.sh"
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"
LOGS = ROOT / ".pytest_cache" / "local-api"


class Postgres:
    """A PostgreSQL cluster in a temporary folder, reachable by its Unix socket only.

    Durability is not what a throwaway cluster is for, so it runs without fsync unless
    ``durable`` asks for a production server's commits (the benchmark's writes do).
    ``max_connections`` limits its connections, as a small server's would be.
    """

    def __init__(
        self,
        prefix: str = "loyalty-pg-",
        *,
        durable: bool = False,
        max_connections: int | None = None,
    ) -> None:
        # Under /tmp, not the checkout: as root the cluster belongs to the postgres user,
        # who must reach its folder.
        self.parent = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        self.parent.chmod(0o755)
        self.folder = self.parent / "cluster"
        self.settings = {"POSTGRES_FSYNC": "on" if durable else "off"}
        if max_connections is not None:
            self.settings["POSTGRES_MAX_CONNECTIONS"] = str(max_connections)
        self.url = self.start()

    def start(self) -> str:
        """Start the cluster (creating it the first time) and answer its DATABASE_URL."""
        return subprocess.run(
            [str(POSTGRES_SCRIPT), "start", str(self.folder)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **self.settings},
        ).stdout.strip()

    def stop(self) -> None:
        subprocess.run([str(POSTGRES_SCRIPT), "stop", str(self.folder)], check=True)

    def remove(self) -> None:
        """Stop the cluster and delete its folder."""
        subprocess.run([str(POSTGRES_SCRIPT), "stop", str(self.folder)], check=False)
        shutil.rmtree(self.parent, ignore_errors=True)


def migrate(database_url: str) -> None:
    """Apply the layer's migrations, as ``make run`` does before serving."""
    subprocess.run(
        [sys.executable, "-m", "loyalty.migrate"],
        check=True,
        capture_output=True,
        env={**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT / "layers/common")},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_environment() -> dict[str, str]:
    # As with sam local, a shell variable that the template declares overrides the template's
    # value; the caller's own settings must not override the parameters given here.
    declared = {"DATABASE_URL", "PASSWORD_HASH_COST", "TOKEN_TTL_SECONDS"}
    env = {name: value for name, value in os.environ.items() if name not in declared}
    return {**env, "SAM_CLI_TELEMETRY": "0"}


def start_local_api(
    database_url: str, *, workers: int = 4, parameters: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """Serve template.yaml on a free port; answer the server process and its base URL."""
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"{port}.log").open("w")
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
            *parameters,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_server_environment(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local API exited with {process.returncode}; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
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
