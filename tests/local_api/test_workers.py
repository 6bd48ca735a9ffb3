"""Warm workers: reuse, real parallelism, waiting for a free worker, and faults as on AWS.

Handler errors, crashes and function timeouts answer 502 as API Gateway does in front of Lambda,
the integration limit answers 504, and a worker that crashed or was killed is replaced, so the
next request to the function succeeds in a new process.
"""

import os
import threading
import urllib.parse

import pytest

from .support import is_running, start_server

INTERNAL_ERROR = {"message": "Internal server error"}


def test_warm_worker_serves_consecutive_requests(server):
    first = server.request("/echo")[1]["pid"]
    second = server.request("/echo")[1]["pid"]

    assert first == second
    assert first != server.proc.pid


def test_concurrent_requests_run_in_separate_processes(server, tmp_path):
    # Four invokes can all see four arrivals only if they run at the same time.
    query = urllib.parse.urlencode({"dir": tmp_path, "n": 4})
    answers = [None] * 4

    def call(index):
        answers[index] = server.request(f"/rendezvous?{query}")

    threads = [threading.Thread(target=call, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in answers] == [200] * 4
    assert [body["arrived"] for _, body in answers] == [4] * 4
    pids = {body["pid"] for _, body in answers}
    assert len(pids) == 4
    assert sorted(pids) == sorted(int(name) for name in os.listdir(tmp_path))


def test_handler_exception_answers_502_and_worker_stays_warm(server):
    status, warm = server.request("/raise")
    assert status == 200

    assert server.request("/raise?fail=1") == (502, INTERNAL_ERROR)

    status, after = server.request("/raise")
    assert status == 200
    assert after["pid"] == warm["pid"]
    assert "[ERROR] ValueError: fixture failure" in server.log()


@pytest.mark.parametrize(
    ("mode", "status_text"), [("exit", "exit status 1"), ("segv", "signal: segmentation fault")]
)
def test_crashed_worker_answers_502_and_is_replaced(server, mode, status_text):
    status, before = server.request("/crash")
    assert status == 200

    assert server.request(f"/crash?mode={mode}") == (502, INTERNAL_ERROR)

    status, after = server.request("/crash")
    assert status == 200
    assert after["pid"] != before["pid"]
    assert not is_running(before["pid"])
    assert "worker exited during invoke: CrashFunction" in server.log()
    assert status_text in server.log()


def test_function_timeout_answers_502_and_worker_is_replaced(server):
    status, before = server.request("/sleep")
    assert status == 200

    # SleepFunction's Timeout is 1 s.
    assert server.request("/sleep?seconds=30") == (502, INTERNAL_ERROR)

    status, after = server.request("/sleep")
    assert status == 200
    assert after["pid"] != before["pid"]
    assert not is_running(before["pid"])
    assert "function timed out, worker killed: SleepFunction" in server.log()


def test_answer_that_is_no_proxy_response_answers_502(server):
    assert server.request("/malformed") == (502, INTERNAL_ERROR)

    assert "function answer is not a proxy response: Invalid API Gateway Response Keys" in (
        server.log()
    )


def test_failing_import_answers_502_with_a_clear_log_line(server):
    assert server.request("/broken") == (502, INTERNAL_ERROR)
    assert server.request("/broken") == (502, INTERNAL_ERROR)

    line = (
        "function init failed: BrokenFunction Runtime.ImportModuleError: "
        "Unable to import module 'app': fixture import failure"
    )
    assert server.log().count(line) == 2


@pytest.fixture(scope="module")
def single_worker_server(tmp_path_factory):
    """A server with one worker per function (set through the environment) and an integration
    limit of 3 s instead of API Gateway's 29 s."""
    env = {"LOCAL_API_WORKERS": "1", "LOCAL_API_INTEGRATION_TIMEOUT": "3"}
    running = start_server(tmp_path_factory.mktemp("single"), env=env)
    yield running
    running.stop()


def test_requests_wait_for_a_busy_worker(single_worker_server, tmp_path):
    record = tmp_path / "record.txt"
    path = "/record?" + urllib.parse.urlencode({"file": record})
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(single_worker_server.request(path)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in answers] == [200, 200]
    pid = answers[0][1]["pid"]
    assert answers[1][1]["pid"] == pid
    # One worker, so the second invoke starts only after the first has ended.
    assert record.read_text().splitlines() == [f"start {pid}", f"end {pid}"] * 2


def test_integration_limit_answers_504_and_worker_is_replaced(single_worker_server):
    status, before = single_worker_server.request("/slow")
    assert status == 200

    # SlowFunction's Timeout (60 s) is beyond the integration limit (3 s here).
    answer = single_worker_server.request("/slow?seconds=30")
    assert answer == (504, {"message": "Endpoint request timed out"})

    status, after = single_worker_server.request("/slow")
    assert status == 200
    assert after["pid"] != before["pid"]
    assert not is_running(before["pid"])
    assert "integration timed out, worker killed: SlowFunction" in single_worker_server.log()
