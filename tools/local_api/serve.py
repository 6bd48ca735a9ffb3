"""Serve the SAM template's REST API locally, running the functions in warm worker processes.

This is `sam local start-api` without Docker: SAM CLI's own providers read the template (Globals,
parameter overrides, intrinsics, layers, routes) and SAM CLI's own API Gateway emulator
(LocalApigwService) builds the payload 1.0 events, routes the requests and parses the answers.
Only the lambda runner differs: instead of starting a container per invoke, it keeps for each
function a pool of warm worker processes (tools/local_api/worker.py), each one a Lambda execution
environment that serves one request at a time. Faults are answered as API Gateway and Lambda
answer them: a handler error, a crash or a function timeout gives 502, and a request still running
at API Gateway's integration limit gives 504; a worker that crashed or was killed is replaced.

Where SAM's emulator strays from API Gateway (REST API, Lambda proxy integration), LocalApi
corrects it: the template's GatewayResponses answer a missing route or method (HEAD and OPTIONS
included), a body over 10 MiB, an integration timeout and a function failure; a body that is not
UTF-8 reaches the function as text with replacement characters; and every event gets a fresh
request id and request time instead of the ones SAM fixes once per process.
"""

import argparse
import contextlib
import io
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Response, g, request
from samcli.cli.types import CfnParameterOverridesType
from samcli.commands.exceptions import UserException
from samcli.commands.local.cli_common.invoke_context import InvokeContext
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.lib.utils.codeuri import resolve_code_path
from samcli.local.apigw.exceptions import LambdaResponseParseException
from samcli.local.apigw.local_apigw_service import LocalApigwService
from samcli.local.docker.exceptions import ProcessSigTermException
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

LOG = logging.getLogger("local_api")
REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_SCRIPT = Path(__file__).resolve().with_name("worker.py")
# The account SAM CLI gives local functions (its AWS_ACCOUNT_ID variable).
ACCOUNT_ID = "123456789012"
# API Gateway REST's request payload limit; a larger body answers REQUEST_TOO_LARGE.
MAX_BODY_BYTES = 10 * 1024 * 1024
# How much of a refused body is read and dropped before answering: a client that sends its whole
# body before reading the answer (urllib, requests) would otherwise see a connection reset, since
# the server closes the connection after each answer. Beyond this the reset is the lesser harm.
DRAIN_BYTES = 64 * 1024 * 1024

# The faults that API Gateway answers itself: the gateway response type, and the status and
# message API Gateway answers with when the template does not customize that type.
MISSING_ROUTE = ("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token")
TOO_LARGE = ("REQUEST_TOO_LARGE", 413, "Request Too Long")
TIMED_OUT = ("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out")
# A function error, crash or timeout, or an answer that is not a proxy response, has no type of
# its own: only DEFAULT_5XX customizes it.
FUNCTION_FAILED = ("DEFAULT_5XX", 502, "Internal server error")


class IntegrationTimeout(Exception):
    """API Gateway stopped waiting for the function: the request answers 504."""


class FunctionError(Exception):
    """The function's invoke ended in a Lambda error payload: the request answers 502."""


class InitError(Exception):
    """The worker's init phase failed; `payload` is the Lambda error payload to answer with."""

    def __init__(self, payload: str) -> None:
        super().__init__(payload)
        self.payload = payload


def error_payload(error_type: str, message: str) -> str:
    return json.dumps({"errorMessage": message, "errorType": error_type})


@dataclass(frozen=True)
class GatewayResponse:
    """One response type declared in GatewayResponses; None leaves a part to API Gateway."""

    status: int | None
    headers: dict[str, str]
    template: str | None


class GatewayResponses:
    """The GatewayResponses of the template's AWS::Serverless::Api, answered as API Gateway does.

    A type the template leaves out falls back to DEFAULT_4XX or DEFAULT_5XX, whose status code,
    when declared, replaces the status of every 4XX or 5XX type that does not declare its own.
    Header values are literals only ('value'); the application/json template is answered as
    written, without evaluating its VTL.
    """

    def __init__(self, declared: dict[str, GatewayResponse]) -> None:
        self.declared = declared

    @classmethod
    def from_stacks(cls, stacks) -> "GatewayResponses":
        """The gateway responses of every API in the stacks, with parameters and intrinsics
        resolved. SAM serves the routes of all APIs on one port, so the first API to declare a
        type answers it for all of them."""
        declared: dict[str, GatewayResponse] = {}
        for stack in stacks:
            for name, resource in stack.resources.items():
                if resource.get("Type") != "AWS::Serverless::Api":
                    continue
                specs = (resource.get("Properties") or {}).get("GatewayResponses") or {}
                if not isinstance(specs, dict):
                    LOG.warning("gateway responses are not a mapping, left out: %s", name)
                    continue
                for response_type, spec in specs.items():
                    response = _gateway_response(name, response_type, spec)
                    if response is None:
                        continue
                    if declared.setdefault(response_type, response) != response:
                        LOG.warning(
                            "gateway response declared twice, first kept: %s %s",
                            name,
                            response_type,
                        )
        return cls(declared)

    def answer(self, fault: tuple[str, int, str]) -> Response:
        """The response to a fault: (response type, API Gateway's status, its message)."""
        response_type, status, message = fault
        own = self.declared.get(response_type)
        fallback = self.declared.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
        chosen = own or fallback
        body = json.dumps({"message": message}, separators=(",", ":"))
        if chosen is None:
            return Response(body, status, content_type="application/json")
        for declared in (own, fallback):
            if declared and declared.status is not None:
                status = declared.status
                break
        if chosen.template is not None:
            body = chosen.template
        response = Response(body, status, content_type="application/json")
        for name, value in chosen.headers.items():
            response.headers[name] = value
        return response


def _gateway_response(api: str, response_type: str, spec) -> GatewayResponse | None:
    """Read one entry of GatewayResponses; what the local API cannot answer is logged, left out."""
    if not isinstance(spec, dict):
        LOG.warning("gateway response is not a mapping, left out: %s %s", api, response_type)
        return None
    status = spec.get("StatusCode")
    if status is not None:
        if not str(status).isdigit() or not 100 <= int(status) <= 599:
            LOG.warning("gateway response status is not a code, left out: %s %s", api, status)
            status = None
        else:
            status = int(status)
    headers = {}
    for name, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items():
        if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == "'":
            headers[name] = value[1:-1]
        else:
            # A mapping from the request or the context is not evaluated locally.
            LOG.warning("gateway response header is not a literal, left out: %s %s", api, name)
    template = (spec.get("ResponseTemplates") or {}).get("application/json")
    if template is not None and not isinstance(template, str):
        LOG.warning("gateway response template is not text, left out: %s %s", api, response_type)
        template = None
    return GatewayResponse(status, headers, template)


def _read(stream, limit: int) -> bytes:
    """Up to `limit` bytes of a request body, fewer only at its end."""
    data = bytearray()
    while len(data) < limit:
        chunk = stream.read(min(limit - len(data), 1 << 16))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _drain(stream, limit: int) -> None:
    """Read and drop up to `limit` bytes of a request body."""
    while limit > 0:
        chunk = stream.read(min(limit, 1 << 16))
        if not chunk:
            break
        limit -= len(chunk)


class _TextBody:
    """The Flask request with its body replaced, for SAM's event construction to read."""

    def __init__(self, flask_request, data: bytes) -> None:
        self._request = flask_request
        self._data = data

    def get_data(self, *args, **kwargs) -> bytes:
        return self._data

    def __getattr__(self, name: str):
        return getattr(self._request, name)


class Worker:
    """Server side of one worker process of the function `key`: its process group and pipes."""

    def __init__(self, key: str, argv: list[str], env: dict[str, str], cwd: str) -> None:
        self.key = key
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        try:
            # A session of its own keeps the terminal's Ctrl+C away from workers (the server stops
            # them) and lets a kill reach the processes a handler started.
            self.proc = subprocess.Popen(
                [*argv, str(request_read), str(response_write)],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                pass_fds=(request_read, response_write),
                start_new_session=True,
            )
        except BaseException:
            os.close(request_write)
            os.close(response_read)
            raise
        finally:
            os.close(request_read)
            os.close(response_write)
        self._requests = os.fdopen(request_write, "wb")
        self._responses = response_read
        self._buffer = b""
        self._lock = threading.Lock()
        self._dead = False

    def send(self, message: dict) -> None:
        self._requests.write(json.dumps(message).encode() + b"\n")
        self._requests.flush()

    def receive(self, deadline: float) -> dict | None:
        """Next message; None if the worker exited; TimeoutError at the monotonic deadline."""
        poller = select.poll()
        poller.register(self._responses, select.POLLIN)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if poller.poll(remaining * 1000):
                chunk = os.read(self._responses, 1 << 16)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def kill(self) -> str:
        """Kill the worker's process group, reap it and tell how it ended, as Lambda words it."""
        with self._lock:
            if not self._dead:
                self._dead = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                # An invoke the worker never read is still buffered; there is no one to take it.
                with contextlib.suppress(BrokenPipeError):
                    self._requests.close()
                os.close(self._responses)
        code = self.proc.returncode
        if code >= 0:
            return f"exit status {code}"
        return f"signal: {signal.strsignal(-code).lower()}"


class WorkerRunner(LocalLambdaRunner):
    """The lambda runner that LocalApigwService calls: SAM's own function lookup, configuration
    and environment variables, with warm local worker processes instead of Docker containers."""

    def __init__(self, provider, cwd, env_vars_values, workers, worker_python, limit) -> None:
        super().__init__(None, provider, cwd, cwd, env_vars_values=env_vars_values)
        self._size = workers
        # -P keeps this script's folder off sys.path; -B writes no .pyc files into the code and
        # layer folders, which are read-only on Lambda.
        self._worker_argv = [worker_python, "-P", "-B", str(WORKER_SCRIPT)]
        self._integration_timeout = limit
        self._configs: dict[str, tuple] = {}
        # One condition guards the workers of all functions: idle ones, and how many each has.
        self._changed = threading.Condition()
        self._idle: dict[str, list[Worker]] = defaultdict(list)
        self._count: dict[str, int] = defaultdict(int)
        self._live: set[Worker] = set()
        self._closed = False

    def is_debugging(self) -> bool:
        # False makes Flask serve requests in threads, so that invokes run in parallel.
        return False

    def get_aws_creds(self) -> dict[str, str]:
        """Region and credentials from the host's environment only, never from profiles."""
        creds = {
            "region": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
            "key": os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret": os.environ.get("AWS_SECRET_ACCESS_KEY"),
            "sessiontoken": os.environ.get("AWS_SESSION_TOKEN"),
        }
        return {name: value for name, value in creds.items() if value}

    def invoke(self, function_identifier, event, tenant_id=None, stdout=None, stderr=None, **_):
        """Run one event in a worker of the function and write its answer to `stdout`."""
        api_deadline = time.monotonic() + self._integration_timeout
        function = self.get_function(function_identifier, tenant_id)
        with self._changed:
            if function.full_path not in self._configs:
                config = self.get_invoke_config(function)
                region = config.env_vars.resolve()["AWS_REGION"]
                arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{config.name}"
                self._configs[function.full_path] = (config, arn)
            config, arn = self._configs[function.full_path]
        try:
            worker = self._acquire(config, api_deadline)
        except InitError as error:
            stdout.write_str(error.payload)
        else:
            stdout.write_str(self._run(config, arn, worker, event, api_deadline))

    def _acquire(self, config, deadline: float) -> Worker:
        """An idle worker of the function, else a new one if it has fewer than the pool size,
        else the first one to become idle."""
        key = config.full_path
        with self._changed:
            while True:
                idle = self._idle[key]
                while idle and idle[-1].proc.poll() is not None:
                    # A worker that died while idle is replaced, not handed an invoke.
                    self._retire(idle.pop())
                if idle:
                    return idle.pop()
                if self._count[key] < self._size:
                    self._count[key] += 1
                    break
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise IntegrationTimeout
        try:
            worker = Worker(key, self._worker_argv, self._environment(config), config.code_abs_path)
        except BaseException:
            with self._changed:
                self._count[key] -= 1
                self._changed.notify_all()
            raise
        with self._changed:
            self._live.add(worker)
            closed = self._closed
        if closed:
            self._retire(worker)
            raise RuntimeError("local api is stopping")
        try:
            ready = worker.receive(deadline)
        except TimeoutError:
            self._retire(worker)
            raise IntegrationTimeout from None
        if ready is None or ready["init_error"]:
            status = self._retire(worker)
            payload = (ready or {}).get("init_error") or error_payload(
                "Runtime.ExitError", f"Error: Runtime exited with {status}"
            )
            error = json.loads(payload)
            kind, message = error["errorType"], error["errorMessage"]
            LOG.error("function init failed: %s %s: %s", config.name, kind, message)
            raise InitError(payload)
        return worker

    def _run(self, config, arn: str, worker: Worker, event: str, api_deadline: float) -> str:
        request_id = str(uuid.uuid4())
        function_deadline = time.monotonic() + config.timeout
        invoke = {
            "event": event,
            "request_id": request_id,
            "deadline_ms": int(time.time() * 1000) + config.timeout * 1000,
            "function_arn": arn,
        }
        answer = None
        try:
            worker.send(invoke)
            answer = worker.receive(min(function_deadline, api_deadline))
        except BrokenPipeError:
            pass
        except TimeoutError:
            self._retire(worker)
            if api_deadline <= function_deadline:
                LOG.error("integration timed out, worker killed: %s %s", config.name, request_id)
                raise IntegrationTimeout from None
            LOG.error("function timed out, worker killed: %s %s", config.name, request_id)
            return error_payload(
                "Sandbox.Timedout",
                f"RequestId: {request_id} Error: Task timed out after {config.timeout:.2f} seconds",
            )
        if answer is None:
            status = self._retire(worker)
            LOG.error("worker exited during invoke: %s %s %s", config.name, request_id, status)
            return error_payload(
                "Runtime.ExitError", f"RequestId: {request_id} Error: Runtime exited with {status}"
            )
        with self._changed:
            self._idle[worker.key].append(worker)
            self._changed.notify_all()
        return answer["payload"]

    def _retire(self, worker: Worker) -> str:
        """Kill a worker and free its place in the function's pool; return how it ended."""
        status = worker.kill()
        with self._changed:
            if worker in self._live:
                self._live.discard(worker)
                self._count[worker.key] -= 1
                self._changed.notify_all()
        return status

    def _environment(self, config) -> dict[str, str]:
        """A Lambda-like environment: the runtime's variables, then SAM's resolved variables."""
        paths = [config.code_abs_path]
        for layer in config.layers:
            if not layer.is_defined_within_template:
                LOG.warning("layer is not local, left out: %s %s", config.name, layer.arn)
                continue
            folder = resolve_code_path(self.cwd, layer.codeuri)
            # Lambda puts a layer's python/ folder on the path, the layer root otherwise.
            python = os.path.join(folder, "python")
            paths.append(python if os.path.isdir(python) else folder)
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONPATH": os.pathsep.join(paths),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
        }
        # Globals, intrinsics, the shell and --env-vars resolved with SAM's own precedence.
        env.update(config.env_vars.resolve())
        day = datetime.now(UTC).strftime("%Y/%m/%d")
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = f"{day}/[$LATEST]{uuid.uuid4().hex}"
        env["LAMBDA_TASK_ROOT"] = config.code_abs_path
        env["_HANDLER"] = config.handler
        return env

    def shutdown(self) -> None:
        """Kill every worker; a worker that starts after this is killed at once."""
        with self._changed:
            self._closed = True
            workers = list(self._live)
        for worker in workers:
            self._retire(worker)


class LocalApi(LocalApigwService):
    """SAM's API Gateway emulator, corrected where it differs from API Gateway's REST API: its
    faults answered with the template's gateway responses (SAM answers 500 to a function error,
    has no integration or body limit and ignores GatewayResponses), HEAD routed as API Gateway
    routes it, bodies that are not UTF-8 passed on as text, and a request id for each request."""

    def __init__(self, *args, gateway_responses: GatewayResponses | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gateway_responses = gateway_responses or GatewayResponses({})

    def create(self):
        super().create()
        app = self._app
        # Before routing: API Gateway refuses a body over its limit whatever the route.
        app.before_request(self._limit_body)
        answer = self.gateway_responses.answer
        app.register_error_handler(404, lambda _: answer(MISSING_ROUTE))
        app.register_error_handler(405, lambda _: answer(MISSING_ROUTE))
        app.register_error_handler(413, self._refuse_body)
        app.register_error_handler(IntegrationTimeout, lambda _: answer(TIMED_OUT))
        app.register_error_handler(FunctionError, lambda _: answer(FUNCTION_FAILED))
        # Anything else that fails in an invoke (a worker that cannot start, a server stopping).
        app.register_error_handler(500, lambda _: answer(FUNCTION_FAILED))

    @staticmethod
    def _limit_body() -> None:
        """Refuse a body over MAX_BODY_BYTES, with or without a Content-Length."""
        environ = request.environ
        length = request.content_length
        if length is not None:
            if length > MAX_BODY_BYTES:
                raise RequestEntityTooLarge
            return
        if "wsgi.input_terminated" not in environ:
            return
        # A chunked body: Werkzeug's MAX_CONTENT_LENGTH would cut it at the limit without a
        # word, so it is read here, one byte past the limit at most, and handed on in memory.
        data = _read(environ["wsgi.input"], MAX_BODY_BYTES + 1)
        if len(data) > MAX_BODY_BYTES:
            raise RequestEntityTooLarge
        environ["wsgi.input"] = io.BytesIO(data)

    def _refuse_body(self, _) -> Response:
        environ = request.environ
        length = request.content_length
        if length is not None:
            _drain(environ["wsgi.input"], min(length, DRAIN_BYTES))
        elif "wsgi.input_terminated" in environ:
            _drain(environ["wsgi.input"], DRAIN_BYTES)
        return self.gateway_responses.answer(TOO_LARGE)

    def _get_current_route(self, flask_request):
        try:
            return super()._get_current_route(flask_request)
        except KeyError:
            # Flask lets HEAD into every GET rule; API Gateway runs HEAD only on a HEAD or ANY
            # method, and answers any other method that the resource lacks as a missing route.
            raise NotFound from None

    def _generate_lambda_event(self, flask_request, route, method, endpoint):
        try:
            event = super()._generate_lambda_event(flask_request, route, method, endpoint)
        except UnicodeDecodeError:
            # API Gateway passes a body that is not of a binary media type on as text whatever
            # its bytes; SAM would fail on bytes that are not UTF-8.
            text = flask_request.get_data().decode("utf-8", "replace").encode()
            event = super()._generate_lambda_event(
                _TextBody(flask_request, text), route, method, endpoint
            )
        context = event.get("requestContext")
        if isinstance(context, dict):
            # SAM's RequestContext takes its id and time from default arguments, evaluated once
            # per process; an authorizer's event and the route's event share one request's.
            if "request_id" not in g:
                g.request_id = str(uuid.uuid4())
                g.request_time = datetime.now(UTC)
            context["requestId"] = g.request_id
            if "extendedRequestId" in context:
                context["extendedRequestId"] = g.request_id
            if "requestTimeEpoch" in context:
                context["requestTimeEpoch"] = int(g.request_time.timestamp() * 1000)
            if "requestTime" in context:
                context["requestTime"] = g.request_time.strftime("%d/%b/%Y:%H:%M:%S +0000")
        return event

    def _invoke_lambda_function(self, lambda_function_name, event, tenant_id=None):
        try:
            return super()._invoke_lambda_function(lambda_function_name, event, tenant_id)
        except LambdaResponseParseException as error:
            raise FunctionError(lambda_function_name) from error

    @staticmethod
    def _parse_v1_payload_format_lambda_output(
        lambda_output, binary_types, flask_request, event_type
    ):
        try:
            return LocalApigwService._parse_v1_payload_format_lambda_output(
                lambda_output, binary_types, flask_request, event_type
            )
        except LambdaResponseParseException as error:
            # API Gateway answers a result that is no proxy response as a function failure.
            LOG.error("function answer is not a proxy response: %s", error)
            raise FunctionError from error


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.local_api.serve",
        description="Serve a SAM template's API as sam local start-api would, without Docker.",
    )
    parser.add_argument("--template", default="template.yaml", help="default: template.yaml")
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=3000, help="default: 3000")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.environ.get("LOCAL_API_WORKERS", "4"),
        help="warm workers per function at most (default: LOCAL_API_WORKERS or 4)",
    )
    parser.add_argument(
        "--worker-python",
        default=str(REPO_ROOT / ".venv" / "bin" / "python"),
        help="interpreter of the functions (default: the repository's .venv)",
    )
    parser.add_argument("--parameter-overrides", nargs="+", default=[], metavar="KEY=VALUE")
    parser.add_argument("--env-vars", help="JSON file as for sam local start-api --env-vars")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        # API Gateway's integration limit; the tests lower it so as not to wait 29 s.
        args.integration_timeout = float(os.environ.get("LOCAL_API_INTEGRATION_TIMEOUT", "29"))
    except ValueError:
        parser.error("LOCAL_API_INTEGRATION_TIMEOUT must be a number of seconds")
    if not os.access(args.worker_python, os.X_OK):
        parser.error(f"--worker-python is not an executable: {args.worker_python}")
    try:
        args.parameter_overrides = CfnParameterOverridesType().convert(
            tuple(args.parameter_overrides), None, None
        )
    except click.BadParameter as error:
        parser.error(error.format_message())
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SAM's emulator records usage events as it serves; they must never leave this machine.
    os.environ["SAM_CLI_TELEMETRY"] = "0"
    # Ctrl+C must stop the server even when it was started with SIGINT ignored (in background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    template = os.path.abspath(args.template)
    cwd = os.path.dirname(template)
    try:
        env_vars_values = InvokeContext._get_env_vars_value(args.env_vars) or {}
        stacks, _ = SamLocalStackProvider.get_stacks(
            template, parameter_overrides=args.parameter_overrides
        )
        api = ApiProvider(stacks, cwd=cwd).api
        functions = SamFunctionProvider(stacks)
        gateway_responses = GatewayResponses.from_stacks(stacks)
    except UserException as error:
        LOG.error("template not loaded: %s", error)
        return 1
    if not api.routes:
        LOG.error("no api routes in template: %s", template)
        return 1
    runner = WorkerRunner(
        functions, cwd, env_vars_values, args.workers, args.worker_python, args.integration_timeout
    )
    service = LocalApi(
        api=api,
        lambda_runner=runner,
        port=args.port,
        host=args.host,
        gateway_responses=gateway_responses,
    )
    service.create()
    base_url = f"http://{args.host}:{args.port}"
    LOG.info("serving %s at %s", template, base_url)
    if gateway_responses.declared:
        LOG.info("gateway responses from the template: %s", ", ".join(gateway_responses.declared))
    for route in api.routes:
        methods = ", ".join(route.methods)
        LOG.info("mounting %s at %s%s [%s]", route.function_name, base_url, route.path, methods)
    try:
        service.run()
    except ProcessSigTermException:
        LOG.info("stopping on sigterm")
    finally:
        runner.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
