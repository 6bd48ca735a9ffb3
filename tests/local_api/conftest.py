"""Fixtures of the local API tests: the shared server that most of the tests send requests to."""

import json

import pytest

from .support import start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A server with four workers per function, a parameter override and an env-vars file."""
    workdir = tmp_path_factory.mktemp("server")
    env_vars = workdir / "env.json"
    env_vars.write_text(
        json.dumps(
            {
                "Parameters": {
                    "FROM_FILE_PARAMETERS": "file-parameters",
                    "FROM_FILE_FUNCTION": "file-parameters",
                    "NOT_DECLARED": "file-parameters",
                },
                "EchoFunction": {"FROM_FILE_FUNCTION": "file-function", "SHELL_AND_FILE": "file"},
            }
        )
    )
    args = ["--workers", "4", "--parameter-overrides", "Stage=test", "--env-vars", str(env_vars)]
    running = start_server(workdir, args)
    yield running
    running.stop()
