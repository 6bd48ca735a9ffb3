"""One warm Lambda execution environment for the local API server (tools.local_api.serve).

The server starts this script with the function's interpreter, its Lambda-like environment and
two private pipe file descriptors given on the command line: it reads one JSON message per line
from the first (an invoke) and writes one JSON message per line to the second (a ready signal
after the init phase, then one answer per invoke). Because the protocol never touches stdout or
stderr, a handler's print() or logging goes straight to the server's terminal as it would go to
CloudWatch. Only the standard library is used here: the handler module brings its own packages.
"""

import importlib
import json
import os
import sys
import time
import traceback


class LambdaContext:
    """The context object handed to a Python handler, with the attributes of Lambda's runtime."""

    def __init__(self, request_id: str, deadline_ms: int, function_arn: str) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        # Lambda's Python runtime passes the memory size on as the string from its environment.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's Timeout, never negative."""
        return max(0, self._deadline_ms - int(time.time() * 1000))


def report_error(error_type: str, message: str, error: BaseException | None) -> str:
    """Log an error as Lambda's runtime does and return its invoke error payload.

    The stack trace keeps the user's frames only, without this script's or importlib's.
    """
    internal = {__file__, importlib.__file__}
    frames = [
        frame
        for frame in (traceback.extract_tb(error.__traceback__) if error else [])
        if frame.filename not in internal and not frame.filename.startswith("<frozen")
    ]
    stack = traceback.format_list(frames)
    print(f"[ERROR] {error_type}: {message}", file=sys.stderr)
    if stack:
        print("Traceback (most recent call last):\n" + "".join(stack), end="", file=sys.stderr)
    sys.stderr.flush()
    return json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": stack})


def load_handler() -> tuple[object, str | None]:
    """Run the init phase: import the module named by _HANDLER and find the handler in it."""
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001 - any init failure is reported, as Lambda does
        kind = "UserCodeSyntaxError" if isinstance(error, SyntaxError) else "ImportModuleError"
        message = f"Unable to import module '{module_name}': {error}"
        return None, report_error(f"Runtime.{kind}", message, error)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, report_error("Runtime.HandlerNotFound", message, None)
    return handler, None


def run_invoke(handler, invoke: dict) -> str:
    """Call the handler with one event and return the JSON answer (a result or an error)."""
    context = LambdaContext(invoke["request_id"], invoke["deadline_ms"], invoke["function_arn"])
    try:
        result = handler(json.loads(invoke["event"]), context)
    except Exception as error:  # noqa: BLE001 - any handler error is answered, as Lambda does
        return report_error(type(error).__name__, str(error), error)
    try:
        return json.dumps(result)
    except (TypeError, ValueError) as error:
        return report_error("Runtime.MarshalError", f"Unable to marshal response: {error}", None)


def main() -> int:
    request_fd, response_fd = int(sys.argv[1]), int(sys.argv[2])
    # Processes the handler starts must not hold the protocol pipes open.
    os.set_inheritable(request_fd, False)
    os.set_inheritable(response_fd, False)
    # Log lines reach the terminal as they are written, as they reach CloudWatch on Lambda.
    sys.stdout.reconfigure(line_buffering=True)
    requests = os.fdopen(request_fd, "rb")
    responses = os.fdopen(response_fd, "wb")

    def send(message: dict) -> None:
        responses.write(json.dumps(message).encode() + b"\n")
        responses.flush()

    handler, init_error = load_handler()
    send({"init_error": init_error})
    if init_error:
        return 1
    for line in requests:
        payload = run_invoke(handler, json.loads(line))
        sys.stdout.flush()
        send({"payload": payload})
    return 0


if __name__ == "__main__":
    sys.exit(main())
