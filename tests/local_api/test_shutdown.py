"""SIGINT and SIGTERM stop the server cleanly and leave no worker process behind."""

import contextlib
import http.client
import os
import signal
import threading
import time
import urllib.parse

import pytest

from .support import is_running, start_server


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_server_and_kills_all_workers(tmp_path, signum):
    server = start_server(tmp_path)
    try:
        idle_pid = server.request("/echo")[1]["pid"]
        meeting = tmp_path / "meeting"
        meeting.mkdir()
        # An invoke still running at the signal: it waits for a second arrival that never comes.
        query = urllib.parse.urlencode({"dir": meeting, "n": 2})

        def call_busy():
            # The server may close the connection or answer 502 as it stops: either is right.
            with contextlib.suppress(OSError, http.client.HTTPException):
                server.request(f"/rendezvous?{query}")

        threading.Thread(target=call_busy, daemon=True).start()
        deadline = time.monotonic() + 15
        while not os.listdir(meeting) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.listdir(meeting), "the busy invoke did not start"
        busy_pid = int(os.listdir(meeting)[0])

        assert server.stop(signum) == 0
    finally:
        server.stop()
    assert not is_running(idle_pid)
    assert not is_running(busy_pid)
