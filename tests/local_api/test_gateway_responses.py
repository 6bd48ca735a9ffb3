"""API Gateway's own answers: the template's GatewayResponses, else API Gateway's defaults.

A missing route or method, a body over API Gateway's 10 MiB limit, an integration timeout and a
function failure are answered by the gateway, not by a function. The session server's template
customizes none of them; gateway-responses.yaml customizes each as the project's template does;
fallback-responses.yaml customizes only DEFAULT_4XX and DEFAULT_5XX, which the others fall back to.
"""

import pytest

from .support import FIXTURE, start_server

LIMIT = 10 * 1024 * 1024
PROBLEM = "application/problem+json"


def body(size: int, sent_chunked: bool = False):
    """A body of `size` bytes; as an iterable, which urllib sends chunked, without a length."""
    if not sent_chunked:
        return b"x" * size
    return iter([b"a" * (size // 2), b"b" * (size - size // 2)])


SENT = pytest.mark.parametrize("sent_chunked", [False, True], ids=["sized", "chunked"])


@pytest.fixture(scope="module")
def gateway_server(tmp_path_factory):
    """A server on gateway-responses.yaml, its not-found status given as a parameter override,
    with an integration limit of 2 s."""
    running = start_server(
        tmp_path_factory.mktemp("gateway"),
        ["--parameter-overrides", "NotFoundStatus=404"],
        env={"LOCAL_API_INTEGRATION_TIMEOUT": "2"},
        template=FIXTURE / "gateway-responses.yaml",
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def fallback_server(tmp_path_factory):
    """A server on fallback-responses.yaml with an integration limit of 2 s."""
    running = start_server(
        tmp_path_factory.mktemp("fallback"),
        env={"LOCAL_API_INTEGRATION_TIMEOUT": "2"},
        template=FIXTURE / "fallback-responses.yaml",
    )
    yield running
    running.stop()


def answer(server, path, data=None, method=None):
    status, headers, body = server.send(path, data, method=method)
    return status, headers["Content-Type"], body


@SENT
def test_body_over_the_limit_answers_413_by_default(server, sent_chunked):
    assert answer(server, "/length", body(LIMIT + 1, sent_chunked)) == (
        413,
        "application/json",
        b'{"message":"Request Too Long"}',
    )


def test_body_at_the_limit_reaches_the_function(server):
    assert server.request("/length", body(LIMIT)) == (200, {"length": LIMIT})
    assert server.request("/length", body(LIMIT, sent_chunked=True)) == (200, {"length": LIMIT})


def test_body_over_the_limit_is_refused_before_routing(server):
    assert server.request("/nowhere", body(LIMIT + 1)) == (413, {"message": "Request Too Long"})


@pytest.mark.parametrize(
    ("path", "method"),
    [("/nowhere", "GET"), ("/echo/abc", "POST"), ("/echo/abc", "OPTIONS"), ("/length", "GET")],
)
def test_missing_route_answers_the_templates_response(gateway_server, path, method):
    data = b"{}" if method == "POST" else None
    status, headers, content = gateway_server.send(path, data, method=method)

    # StatusCode and the Content-Type header come from parameters (NotFoundStatus, ProblemType).
    assert (status, content) == (404, b'{"code": "not_found"}')
    assert headers["Content-Type"] == PROBLEM
    assert headers["X-Gateway-Response"] == "missing-route"
    # A header mapped from the request is not evaluated locally: it is left out, with a warning.
    assert headers["X-Origin"] is None


def test_head_on_a_get_route_answers_the_missing_route_response(gateway_server):
    status, headers, content = gateway_server.send("/echo/abc", method="HEAD")

    assert (status, headers["Content-Type"], content) == (404, PROBLEM, b"")
    assert headers["X-Gateway-Response"] == "missing-route"
    assert headers["Content-Length"] == str(len(b'{"code": "not_found"}'))


def test_header_that_is_not_a_literal_is_reported(gateway_server):
    line = "gateway response header is not a literal, left out: ProblemApi X-Origin"
    assert line in gateway_server.log()


@SENT
def test_body_over_the_limit_answers_the_templates_response(gateway_server, sent_chunked):
    assert answer(gateway_server, "/length", body(LIMIT + 1, sent_chunked)) == (
        413,
        PROBLEM,
        b'{"code": "request_too_large"}',
    )


def test_integration_timeout_answers_the_templates_response(gateway_server):
    # SlowFunction's Timeout (60 s) is beyond the integration limit (2 s here).
    assert answer(gateway_server, "/slow?seconds=30") == (
        504,
        PROBLEM,
        b'{"code": "gateway_timeout"}',
    )


@pytest.mark.parametrize(
    "path", ["/raise?fail=1", "/crash?mode=exit", "/sleep?seconds=30", "/malformed"]
)
def test_function_failure_answers_the_templates_default_5xx(gateway_server, path):
    # A handler error, a crash, a function timeout (SleepFunction's 1 s) and an answer that is no
    # proxy response.
    assert answer(gateway_server, path) == (502, PROBLEM, b'{"code": "bad_gateway"}')


def test_functions_still_answer_behind_gateway_responses(gateway_server):
    status, answer_body = gateway_server.request("/echo/abc")

    assert status == 200
    assert answer_body["event"]["pathParameters"] == {"item": "abc"}


def test_4xx_types_fall_back_to_default_4xx_and_its_status(fallback_server):
    client_error = (400, PROBLEM, b'{"code": "client_error"}')

    assert answer(fallback_server, "/nowhere") == client_error
    assert answer(fallback_server, "/raise", method="HEAD")[:2] == (400, PROBLEM)
    assert answer(fallback_server, "/length", body(LIMIT + 1)) == client_error


def test_5xx_types_fall_back_to_default_5xx_with_their_own_status(fallback_server):
    # DEFAULT_5XX declares no StatusCode, so each fault keeps API Gateway's status for it.
    server_error = b'{"code": "server_error"}'

    assert answer(fallback_server, "/slow?seconds=30") == (504, "application/json", server_error)
    assert answer(fallback_server, "/raise?fail=1") == (502, "application/json", server_error)
