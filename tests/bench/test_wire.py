"""The round-trip counter of ``make bench`` counts what crosses the wire, no more, no less.

A fake server on a Unix socket stands in for PostgreSQL: like PostgreSQL waiting for Sync, it
answers once a question is complete (it ends with "?"), and it answers in several chunks, as
a server sends a result in several packets, so that only the turns of the conversation are
counted, not the packets.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.bench.wire import RoundTripCounter

GREETING = b"hello"


def _serve(listener: socket.socket, greet: bool) -> None:
    connection, _ = listener.accept()
    question = b""
    with connection, contextlib.suppress(OSError):
        if greet:
            connection.sendall(GREETING)
        while data := connection.recv(1024):
            question += data
            if not question.endswith(b"?"):
                continue
            # The answer comes in three pieces with pauses, and ends with a full stop.
            for piece in (b"ans", b"wer to ", question + b"."):
                connection.sendall(piece)
                time.sleep(0.005)
            question = b""


@pytest.fixture(params=[False, True], ids=["silent", "greeting"])
def greets(request: pytest.FixtureRequest) -> bool:
    """Whether the server speaks first, before any question."""
    return request.param


@pytest.fixture
def counter(greets: bool, tmp_path: Path) -> Iterator[RoundTripCounter]:
    path = tmp_path / "server.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen()
    threading.Thread(target=_serve, args=(listener, greets), daemon=True).start()
    with RoundTripCounter(path) as proxy:
        yield proxy
    listener.close()


@pytest.fixture
def client(counter: RoundTripCounter, greets: bool) -> Iterator[socket.socket]:
    """A client connected through the counter, past the server's greeting if any."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(counter.folder / ".s.PGSQL.5432"))
        connection.settimeout(5)
        if greets:
            assert connection.recv(len(GREETING)) == GREETING
        yield connection


def _read_answer(client: socket.socket) -> bytes:
    answer = b""
    while not answer.endswith(b"."):
        answer += client.recv(1024)
    return answer


def test_each_question_and_its_answer_is_one_round_trip(
    counter: RoundTripCounter, client: socket.socket
) -> None:
    # Given a client connected through the counter (a greeting from the server is no trip)
    # When it asks five questions, each answered in pieces
    for number in range(5):
        client.sendall(f"q{number}?".encode())
        assert _read_answer(client) == f"answer to q{number}?.".encode()
    # Then five round trips were counted, on one connection
    assert (counter.round_trips, counter.connections) == (5, 1)


def test_messages_sent_before_the_answer_cost_one_round_trip(
    counter: RoundTripCounter, client: socket.socket
) -> None:
    # Two messages in one flight, as psycopg sends Parse, Bind, Execute and Sync
    client.sendall(b"parse+bind+")
    client.sendall(b"execute+sync?")
    assert _read_answer(client) == b"answer to parse+bind+execute+sync?."
    assert counter.round_trips == 1


def test_a_proxy_url_keeps_everything_but_the_host(tmp_path: Path) -> None:
    url = f"postgresql://loyalty@/loyalty?host={tmp_path}"
    with RoundTripCounter.in_front_of(url) as counter:
        assert counter.target == tmp_path / ".s.PGSQL.5432"
        proxied = counter.url(url)
        assert f"host={counter.folder}" in proxied
        assert "user=loyalty" in proxied
        assert "dbname=loyalty" in proxied
