"""A worker gets a Lambda execution environment: its own variables, paths and context, no more.

The module's server runs with the override Stage=test, an env-vars file and marker variables in
its own environment (conftest.SERVER_ENV); the echo function reports what it sees.
"""

import re
import uuid

from .support import FIXTURE, SERVER_ENV

CODE = str(FIXTURE / "functions" / "probe")
LAYER = str(FIXTURE / "layers" / "shared" / "python")


def test_environment_is_exactly_the_functions(server):
    status, answer = server.request("/echo")

    assert status == 200
    env = answer["env"]
    # CPython adds LC_CTYPE when it coerces a locale that the machine lacks (LANG's en_US.UTF-8).
    env.pop("LC_CTYPE", None)
    stream = env.pop("AWS_LAMBDA_LOG_STREAM_NAME")
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", stream)
    assert env == {
        # The runtime's own variables.
        "PATH": SERVER_ENV["PATH"],
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": f"{CODE}:{LAYER}",
        "LAMBDA_TASK_ROOT": CODE,
        "_HANDLER": "app.echo",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        # The variables SAM CLI gives a local function, region and keys from the host.
        "AWS_SAM_LOCAL": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "EchoFunction",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": "5",
        "AWS_LAMBDA_FUNCTION_HANDLER": "app.echo",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "aws/lambda/EchoFunction",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "local-key",
        "AWS_SECRET_ACCESS_KEY": "local-secret",
        "AWS_ACCOUNT_ID": "123456789012",
        # The template's variables: Globals, intrinsics resolved with the override, then the
        # shell and the env-vars file in SAM's order (shell, Parameters, the function's own).
        "GLOBAL_VAR": "from-globals",
        "STAGE": "test",
        "SUB_VAR": "loyalty-test",
        "FROM_TEMPLATE": "template-value",
        "FROM_SHELL": "shell",
        "FROM_FILE_PARAMETERS": "file-parameters",
        "FROM_FILE_FUNCTION": "file-function",
        "SHELL_AND_FILE": "file",
    }
    assert "LOCAL_API_LEAK_MARKER" not in env
    assert "NOT_DECLARED" not in env


def test_worker_runs_in_the_code_folder_with_the_layer_importable(server):
    status, answer = server.request("/echo")

    assert status == 200
    assert answer["cwd"] == CODE
    assert answer["layer"] == "from-layer"


def test_context_describes_the_function_and_each_invoke(server):
    first = server.request("/echo")[1]["context"]
    second = server.request("/echo")[1]["context"]

    for context in (first, second):
        assert context["function_name"] == "EchoFunction"
        assert context["function_version"] == "$LATEST"
        assert context["memory_limit_in_mb"] == "256"
        assert context["log_group_name"] == "aws/lambda/EchoFunction"
        assert context["invoked_function_arn"] == (
            "arn:aws:lambda:eu-west-1:123456789012:function:EchoFunction"
        )
        assert str(uuid.UUID(context["aws_request_id"])) == context["aws_request_id"]
        # Counts down from the function's Timeout of 5 s.
        assert 0 < context["remaining_time_in_millis"] <= 5000
    assert first["aws_request_id"] != second["aws_request_id"]
    assert first["log_stream_name"] == second["log_stream_name"]
