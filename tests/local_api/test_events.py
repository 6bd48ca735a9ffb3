"""The local API builds SAM's REST payload 1.0 events, routes as SAM does and logs each request.

The fixture's echo function answers with the event it received, so these tests see exactly what
a handler of the project would see behind `make run`.
"""

import json
import uuid


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
    assert server.request("/nowhere") == (403, {"message": "Missing Authentication Token"})


def test_access_log_and_function_output_reach_the_terminal(server):
    status, _ = server.request("/echo/logged/?q=1")

    assert status == 200
    log = server.log()
    assert '"GET /echo/logged/?q=1 HTTP/1.1" 200' in log
    assert json.dumps({"message": "echo handled", "path": "/echo/logged/"}) in log
