"""The function's one PostgreSQL connection: opened on first use, reused while warm.

A Lambda execution environment serves one request at a time, so one connection per
environment is all it needs (RDS Proxy pools them in AWS). Every operation of the API is a
single SQL statement in autocommit mode, so each request costs one round trip and each
statement is its own atomic transaction.

A connection that the server closed while it sat idle (a restart, ``pg_terminate_backend``,
an idle timeout of RDS Proxy) is noticed before it is used, without a round trip: the server
writes an error and closes the socket, so the socket turns readable. Such a connection is
replaced at once. A connection that breaks while a statement runs answers
:class:`~loyalty.errors.DatabaseUnavailableError` (503): a read is retried once on a new
connection, a write is not, because the server may have committed it before the break. A
statement that runs past ``DB_STATEMENT_TIMEOUT_MS`` answers 503 at once. A statement that a
schema change has outdated since the session planned it (or a trigger's query) is run once
more on a new connection.
"""

from __future__ import annotations

import select
import threading
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from loyalty.credentials import connection_string, password_rejected
from loyalty.errors import DatabaseUnavailableError
from loyalty.observability import logger
from loyalty.settings import Settings, get_settings

Query = str | sql.Composed | sql.SQL
Row = dict[str, Any]


def connect(settings: Settings, application_name: str = "loyalty-api") -> psycopg.Connection:
    """A new autocommit connection with dict rows and the configured timeouts.

    With credentials from Secrets Manager, a rejected password means the secret was rotated
    since it was read: it is read again, bypassing the cache, and the connect tried once more.
    """
    try:
        return _connect(connection_string(settings), settings, application_name)
    except psycopg.OperationalError as error:
        if settings.database_url or not password_rejected(error):
            raise
    logger.warning("database password rejected, reading the secret again")
    return _connect(connection_string(settings, refresh=True), settings, application_name)


def _connect(conninfo: str, settings: Settings, application_name: str) -> psycopg.Connection:
    return psycopg.connect(
        conninfo,
        autocommit=True,
        row_factory=dict_row,
        connect_timeout=settings.db_connect_timeout,
        prepare_threshold=settings.db_prepare_threshold or None,
        application_name=application_name,
        options=f"-c statement_timeout={settings.db_statement_timeout_ms}",
    )


# What PostgreSQL says when a plan that a session cached (a prepared statement, or a query of
# a trigger function) no longer fits a table that a migration changed since. Their SQLSTATEs
# (0A000, 42804) are shared with other refusals; the messages tell these apart.
_OUTDATED_PLAN = (
    "cached plan must not change result type",
    "does not match that when preparing the plan",
)


def _plan_outdated(error: psycopg.Error) -> bool:
    return any(sign in str(error) for sign in _OUTDATED_PLAN)


class _Session:
    """An open connection with the one cursor that runs every statement on it.

    Both are made once per connection: a new cursor per statement, and a new ``select`` over
    the socket per check, cost a warm request tens of microseconds that it need not pay.
    """

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        self.cursor = connection.cursor()
        self._poller = select.poll()
        self._poller.register(connection.fileno(), select.POLLIN)

    def is_usable(self) -> bool:
        if self.connection.closed or self.connection.broken:
            return False
        # Between statements an autocommit session is idle; one left in any other state by a
        # failure could run nothing more.
        if self.connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        # An idle connection has nothing to read unless the server has spoken on its own,
        # which for this API only happens when it terminates the session.
        return not self._poller.poll(0)


class Database(threading.local):
    """Runs statements on the environment's connection, replacing it when it is gone.

    Lambda runs one request at a time per environment, so there is one connection; it is
    kept per thread only so that code driving the layer from several threads (the
    concurrency tests) never shares a connection between them.
    """

    def __init__(self) -> None:
        self._session: _Session | None = None

    @property
    def backend_pid(self) -> int | None:
        """The server process of the open connection, if one is open."""
        return None if self._session is None else self._session.connection.info.backend_pid

    def _open(self) -> _Session:
        if self._session is not None and self._session.is_usable():
            return self._session
        self.close()
        try:
            self._session = _Session(connect(get_settings()))
        except psycopg.OperationalError as error:
            logger.warning("database connection failed", error=type(error).__name__)
            raise DatabaseUnavailableError("cannot connect") from error
        return self._session

    def close(self) -> None:
        """Drop the connection; the next statement opens a new one."""
        if self._session is not None:
            self._session.connection.close()
            self._session = None

    def _run(self, query: Query, params: Any, fetch: str, read_only: bool) -> Any:
        for attempt in (1, 2):
            session = self._open()
            try:
                session.cursor.execute(query, params)
                return session.cursor.fetchall() if fetch == "all" else session.cursor.fetchone()
            except (psycopg.errors.FeatureNotSupported, psycopg.errors.DatatypeMismatch) as error:
                if not _plan_outdated(error):
                    raise
                # The schema changed since this connection planned the statement or a trigger's
                # query (a deploy's migration). The statement fails as a whole, so nothing was
                # written, and a new connection plans everything afresh: it may run the
                # statement once more, a write as well.
                self.close()
                logger.warning("statement plan outdated by a schema change", attempt=attempt)
                if attempt == 2:
                    raise DatabaseUnavailableError("statement outdated") from error
            except psycopg.OperationalError as error:
                # Includes a statement timeout and an administrator's shutdown; after a
                # broken connection nothing else can run on it.
                lost = session.connection.broken or session.connection.closed
                if lost:
                    self.close()
                logger.warning(
                    "database statement failed", error=type(error).__name__, attempt=attempt
                )
                # Only a read that lost its connection is tried again, on a new one: a write
                # may have been committed before the break, and a statement that timed out
                # would only wait as long again, past the function's own timeout.
                if not (read_only and lost) or attempt == 2:
                    raise DatabaseUnavailableError("statement failed") from error
        raise AssertionError("unreachable")

    def fetch_one(self, query: Query, params: Any = None, *, read_only: bool = False) -> Row | None:
        """Run one statement and answer its first row, or None."""
        return self._run(query, params, "one", read_only)

    def fetch_all(self, query: Query, params: Any = None, *, read_only: bool = False) -> list[Row]:
        """Run one statement and answer all its rows."""
        return self._run(query, params, "all", read_only)


database = Database()
"""The environment's database, shared by every request it serves."""
