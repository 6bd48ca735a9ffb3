"""The local API builds SAM's REST payload 1.0 events, routes as API Gateway does, logs requests.

The fixture's echo function answers with the event it received, so these tests see exactly what
a handler of the project would see behind `make run`.
"""

import json
import time
import uuid
from datetime import UTC, datetime

MISSING_ROUTE = {"message": "Missing Authentication Token"}


def test_get_event_has_the_rest_payload_shape(server):
    status, answer = server.request("/echo/abc/?a=1&a=2&b=x", headers={"X-Test": "yes"})

    assert status == 200
    event = answer["event"]
    assert event["httpMethod"] == "GET"
    assert event["path"] == "/echo/abc/"
    assert event["resource"] == "/echo/{item}"
    assert event["pathParameters"] == {"item": "abc"}
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["headers"]["X-Test"] == "yes"
    assert event["multiValueHeaders"]["X-Test"] == ["yes"]
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "Prod"
    assert context["httpMethod"] == "GET"
    assert context["resourcePath"] == "/echo/{item}"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert str(uuid.UUID(context["requestId"])) == context["requestId"]


def test_post_event_carries_the_body_as_sent(server):
    body = b'{"points": 5}'
    status, answer = server.request("/echo", body, {"Content-Type": "application/json"})

    assert status == 200
    event = answer["event"]
    assert event["httpMethod"] == "POST"
    assert event["path"] == "/echo"
    assert event["resource"] == "/echo"
    assert event["pathParameters"] is None
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["body"] == '{"points": 5}'
    assert event["isBase64Encoded"] is False


def test_path_routes_with_and_without_trailing_slash(server):
    plain_status, plain = server.request("/echo")
    slash_status, slash = server.request("/echo/")

    assert (plain_status, slash_status) == (200, 200)
    assert plain["event"]["path"] == "/echo"
    assert slash["event"]["path"] == "/echo/"
    assert plain["event"]["resource"] == slash["event"]["resource"] == "/echo"


def test_unknown_route_answers_as_api_gateway(server):
    assert server.request("/nowhere") == (403, MISSING_ROUTE)


def test_method_the_resource_lacks_answers_as_a_missing_route(server):
    # /echo/{item} has GET only.
    assert server.request("/echo/abc", b"{}", method="POST") == (403, MISSING_ROUTE)


def test_head_reaches_only_a_head_or_any_method(server):
    # Flask would let HEAD into the GET method of /echo/{item}; API Gateway does not.
    status, headers, body = server.send("/echo/abc", method="HEAD")
    assert (status, headers["Content-Type"], body) == (403, "application/json", b"")
    # /echo is ANY, which takes HEAD too: the function answers, without a body.
    status, headers, body = server.send("/echo", method="HEAD")
    assert (status, headers["Content-Type"], body) == (200, "application/json", b"")


def test_options_without_cors_reaches_only_an_options_or_any_method(server):
    assert server.request("/echo/abc", method="OPTIONS") == (403, MISSING_ROUTE)

    status, answer = server.request("/echo", method="OPTIONS")
    assert status == 200
    assert answer["event"]["httpMethod"] == "OPTIONS"


def test_body_that_is_not_utf8_reaches_the_function_as_text(server):
    status, answer = server.request("/echo", b"\xff\xfe{}", {"Content-Type": "application/json"})

    assert status == 200
    assert answer["event"]["body"] == "\ufffd\ufffd{}"
    assert answer["event"]["isBase64Encoded"] is False


def test_each_request_gets_its_own_request_id_and_time(server):
    before = int(time.time() * 1000)
    first = server.request("/echo")[1]["event"]["requestContext"]
    second = server.request("/echo/abc")[1]["event"]["requestContext"]
    after = int(time.time() * 1000)

    assert first["requestId"] != second["requestId"]
    for context in (first, second):
        assert str(uuid.UUID(context["requestId"])) == context["requestId"]
        assert context["extendedRequestId"] == context["requestId"]
        # The time of the request, not of the server's start.
        assert before <= context["requestTimeEpoch"] <= after
        moment = datetime.fromtimestamp(context["requestTimeEpoch"] // 1000, UTC)
        assert context["requestTime"] == moment.strftime("%d/%b/%Y:%H:%M:%S +0000")


def test_access_log_and_function_output_reach_the_terminal(server):
    status, _ = server.request("/echo/logged/?q=1")

    assert status == 200
    log = server.log()
    assert '"GET /echo/logged/?q=1 HTTP/1.1" 200' in log
    assert json.dumps({"message": "echo handled", "path": "/echo/logged/"}) in log
