"""The part of SAM CLI that tools/local_api relies on is still the one it was written against.

The local API imports SAM CLI's providers and API Gateway emulator, subclasses LocalApigwService
and LocalLambdaRunner and hands the emulator its own runner. This test inspects the real modules
in .venv-sam (SAM CLI cannot live in the functions' .venv) and drives the emulator in-process
through Flask's test client, so that an upgrade of aws-sam-cli that changes any of it fails here
instead of in `make run`.
"""

import json
import subprocess

from .support import REPO, SAM_PYTHON

PROBE = r"""
import inspect
import json

import samcli
from samcli.cli.types import CfnParameterOverridesType
from samcli.commands.local.cli_common.invoke_context import InvokeContext
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.provider import Api, LayerVersion, Stack
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.lib.utils.codeuri import resolve_code_path
from samcli.lib.utils.stream_writer import StreamWriter
from samcli.local.apigw.local_apigw_service import LocalApigwService
from samcli.local.apigw.route import Route
from samcli.local.lambdafn.config import FunctionConfig
from samcli.local.lambdafn.env_vars import EnvironmentVariables
from samcli.local.services.base_local_service import LambdaOutputParser

from tools.local_api.serve import IntegrationTimeout, LocalApi

CALLABLES = [
    LocalApigwService.__init__, LocalApigwService.create, LocalApigwService._invoke_lambda_function,
    LocalApigwService._get_current_route, LocalApigwService._generate_lambda_event,
    LocalApigwService._parse_v1_payload_format_lambda_output,
    LambdaOutputParser.get_lambda_output, LambdaOutputParser.is_lambda_error_response,
    SamLocalStackProvider.get_stacks, ApiProvider.__init__, SamFunctionProvider.__init__,
    LocalLambdaRunner.__init__, LocalLambdaRunner.invoke, LocalLambdaRunner.get_function,
    LocalLambdaRunner.get_invoke_config, LocalLambdaRunner.get_aws_creds,
    FunctionConfig.__init__, EnvironmentVariables.resolve, LayerVersion.__init__,
    CfnParameterOverridesType.convert, InvokeContext._get_env_vars_value, resolve_code_path,
    StreamWriter.write_str,
]


class Runner:
    # Answers every invoke with one payload (or raises) and records how it was called.
    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def is_debugging(self):
        return False

    def invoke(self, *args, **kwargs):
        self.calls.append({"args": args, "kwargs": sorted(kwargs), "tenant": kwargs["tenant_id"]})
        if isinstance(self.answer, Exception):
            raise self.answer
        kwargs["stdout"].write_str(self.answer)


def serve(service_class, answer, method="GET", data=None):
    runner = Runner(answer)
    api = Api(routes=[Route(function_name="Fn", path="/items/{id}", methods=["GET", "POST"])])
    service = service_class(api=api, lambda_runner=runner, port=3000, host="127.0.0.1")
    service.create()
    response = service._app.test_client().open("/items/7/?q=1", method=method, data=data)
    return runner, {"status": response.status_code, "body": response.get_data(as_text=True)}


def events(service_class, method="GET", data=None):
    # The events of two requests, each to a service of its own.
    return [
        json.loads(serve(service_class, ok, method, data)[0].calls[0]["args"][1]) for _ in range(2)
    ]


ok = json.dumps({"statusCode": 201, "body": "made"})
error = json.dumps({"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []})
malformed = json.dumps({"statusCode": 201, "body": "made", "unexpected": True})
runner, sam_ok = serve(LocalApigwService, ok)
call = runner.calls[0]
event = json.loads(call["args"][1])
sam_events = events(LocalApigwService)
local_events = events(LocalApi)
bad_utf8 = b"\xff\xfe{}"
facts = {
    "version": samcli.__version__,
    "parameters": {f.__qualname__: list(inspect.signature(f).parameters) for f in CALLABLES},
    "resources_property": isinstance(inspect.getattr_static(Stack, "resources"), property),
    "error_payloads": [
        LambdaOutputParser.is_lambda_error_response(payload)
        for payload in (
            error,
            json.dumps({"errorMessage": "Task timed out", "errorType": "Sandbox.Timedout"}),
            ok,
        )
    ],
    "invoke_call": {
        "positional": [call["args"][0], event["path"], event["resource"]],
        "keywords": call["kwargs"],
        "tenant": call["tenant"],
    },
    "context_keys": sorted(event["requestContext"]),
    "request_ids": {
        "sam_same": sam_events[0]["requestContext"]["requestId"]
        == sam_events[1]["requestContext"]["requestId"],
        "sam_extended": sam_events[0]["requestContext"]["extendedRequestId"],
        "local_same": local_events[0]["requestContext"]["requestId"]
        == local_events[1]["requestContext"]["requestId"],
        "local_extended": [
            e["requestContext"]["extendedRequestId"] == e["requestContext"]["requestId"]
            for e in local_events
        ],
    },
    "bad_utf8_body": {
        "sam": serve(LocalApigwService, ok, "POST", bad_utf8)[1],
        "local": events(LocalApi, "POST", bad_utf8)[0]["body"],
    },
    "answers": {
        "sam_ok": sam_ok,
        "sam_error": serve(LocalApigwService, error)[1],
        "sam_malformed": serve(LocalApigwService, malformed)[1],
        "sam_head": serve(LocalApigwService, ok, "HEAD")[1],
        "sam_missing_method": serve(LocalApigwService, ok, "PUT")[1],
        "local_error": serve(LocalApi, error)[1],
        "local_malformed": serve(LocalApi, malformed)[1],
        "local_head": serve(LocalApi, ok, "HEAD")[1],
        "local_missing_method": serve(LocalApi, ok, "PUT")[1],
        "local_timeout": serve(LocalApi, IntegrationTimeout())[1],
    },
}
print(json.dumps(facts))
"""


def test_sam_cli_interface_is_unchanged(tmp_path):
    result = subprocess.run(
        [SAM_PYTHON, "-c", PROBE],
        check=False,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.splitlines()[-1])

    assert facts["version"] == "1.170.0"
    assert facts["parameters"] == {
        "LocalApigwService.__init__": [
            "self", "api", "lambda_runner", "static_dir", "port", "host", "stderr", "ssl_context"
        ],
        "LocalApigwService.create": ["self"],
        "LocalApigwService._invoke_lambda_function": [
            "self", "lambda_function_name", "event", "tenant_id"
        ],
        "LocalApigwService._get_current_route": ["self", "flask_request"],
        "LocalApigwService._generate_lambda_event": [
            "self", "flask_request", "route", "method", "endpoint"
        ],
        "LocalApigwService._parse_v1_payload_format_lambda_output": [
            "lambda_output", "binary_types", "flask_request", "event_type"
        ],
        "LambdaOutputParser.get_lambda_output": ["stdout_stream_str", "stdout_stream_bytes"],
        "LambdaOutputParser.is_lambda_error_response": ["lambda_response"],
        "SamLocalStackProvider.get_stacks": [
            "template_file", "stack_path", "name", "parameter_overrides",
            "global_parameter_overrides", "metadata", "template_dictionary", "use_sam_transform",
            "language_extensions_enabled",
        ],
        "ApiProvider.__init__": ["self", "stacks", "cwd", "disable_authorizer"],
        "SamFunctionProvider.__init__": [
            "self", "stacks", "use_raw_codeuri", "ignore_code_extraction_warnings",
            "locate_layer_nested", "function_logical_ids",
        ],
        "LocalLambdaRunner.__init__": [
            "self", "local_runtime", "function_provider", "cwd", "real_path", "aws_profile",
            "aws_region", "env_vars_values", "debug_context", "container_host",
            "container_host_interface", "extra_hosts", "container_dns",
        ],
        "LocalLambdaRunner.invoke": [
            "self", "function_identifier", "event", "tenant_id", "stdout", "stderr",
            "override_runtime", "invocation_type", "durable_execution_name", "function",
        ],
        "LocalLambdaRunner.get_function": ["self", "function_identifier", "tenant_id"],
        "LocalLambdaRunner.get_invoke_config": ["self", "function", "override_runtime"],
        "LocalLambdaRunner.get_aws_creds": ["self"],
        "FunctionConfig.__init__": [
            "self", "name", "full_path", "runtime", "handler", "imageuri", "imageconfig",
            "packagetype", "code_abs_path", "layers", "architecture", "memory", "timeout",
            "runtime_management_config", "env_vars", "code_real_path",
            "capacity_provider_configuration", "durable_config",
        ],
        "EnvironmentVariables.resolve": ["self"],
        "LayerVersion.__init__": [
            "self", "arn", "codeuri", "compatible_runtimes", "metadata",
            "compatible_architectures", "stack_path",
        ],
        "CfnParameterOverridesType.convert": [
            "self", "values", "param", "ctx", "seen_files", "current_file"
        ],
        "InvokeContext._get_env_vars_value": ["filename"],
        "resolve_code_path": ["cwd", "codeuri"],
        "StreamWriter.write_str": ["self", "output"],
    }  # fmt: skip
    # The runner's error payloads (handler error, timeout) count as errors, a result does not.
    assert facts["error_payloads"] == [True, True, False]
    # The emulator calls runner.invoke(name, event, stdout=, stderr=, tenant_id=).
    assert facts["invoke_call"] == {
        "positional": ["Fn", "/items/7/", "/items/{id}"],
        "keywords": ["stderr", "stdout", "tenant_id"],
        "tenant": None,
    }
    # Stack.resources is the template after SAM's plugins and intrinsics, which the gateway
    # responses are read from.
    assert facts["resources_property"] is True
    # The requestContext keys that LocalApi gives per-request values.
    assert {"requestId", "extendedRequestId", "requestTimeEpoch", "requestTime"} <= set(
        facts["context_keys"]
    )
    # SAM fixes the request id once per process and leaves extendedRequestId null; LocalApi gives
    # each request its own.
    assert facts["request_ids"] == {
        "sam_same": True,
        "sam_extended": None,
        "local_same": False,
        "local_extended": [True, True],
    }
    # SAM fails on a body that is not UTF-8; LocalApi passes it on with replacement characters.
    assert facts["bad_utf8_body"] == {
        "sam": {"status": 502, "body": '{"message":"Internal server error"}\n'},
        "local": "\ufffd\ufffd{}",
    }
    sam_internal_error = '{"message":"Internal server error"}\n'
    internal_error = '{"message":"Internal server error"}'
    missing_route = '{"message":"Missing Authentication Token"}'
    assert facts["answers"] == {
        "sam_ok": {"status": 201, "body": "made"},
        # SAM answers a function error with 500, API Gateway (and so LocalApi) with 502.
        "sam_error": {"status": 500, "body": sam_internal_error},
        "sam_malformed": {"status": 502, "body": sam_internal_error},
        # SAM fails to find a function for the HEAD that Flask lets into every GET rule (the
        # answer to HEAD has no body).
        "sam_head": {"status": 502, "body": ""},
        "sam_missing_method": {"status": 403, "body": missing_route + "\n"},
        "local_error": {"status": 502, "body": internal_error},
        "local_malformed": {"status": 502, "body": internal_error},
        "local_head": {"status": 403, "body": ""},
        "local_missing_method": {"status": 403, "body": missing_route},
        "local_timeout": {"status": 504, "body": '{"message":"Endpoint request timed out"}'},
    }
