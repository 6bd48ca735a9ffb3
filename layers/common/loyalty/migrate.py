"""Schema migrations: numbered SQL files applied in order, each once.

The files live in ``loyalty/migrations`` as ``NNNN_name.sql``. Each is applied in its own
transaction together with its row in ``schema_migrations``, under a session advisory lock, so
two processes that migrate at the same time apply each file exactly once: the second waits,
then finds nothing left to do. Run ``python -m loyalty.migrate`` with ``DATABASE_URL`` set.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import tuple_row

from loyalty.db import connect
from loyalty.observability import logger
from loyalty.settings import get_settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# An arbitrary constant that names this API's migration lock among advisory locks.
ADVISORY_LOCK_ID = 7_140_221_501

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order; a misnamed or duplicate file is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 0001_name.sql: {path.name}")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations share version {version}")
        found[version] = Migration(version, match.group(2), path)
    return [found[version] for version in sorted(found)]


def apply_migrations(connection: psycopg.Connection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply the migrations the database lacks and answer their versions."""
    applied_now: list[int] = []
    connection.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_ID])
    try:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
        for migration in available_migrations(directory):
            if migration.version in done:
                continue
            with connection.transaction():
                connection.execute(migration.path.read_text())
                connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    [migration.version, migration.name],
                )
            logger.info("migration applied", version=migration.version, migration=migration.name)
            applied_now.append(migration.version)
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_ID])
    return applied_now


@dataclass(frozen=True)
class MigrationRun:
    applied: list[int]
    schema_version: int

    def attributes(self) -> dict[str, str]:
        """The run as the attributes of the deploy's custom resource (strings)."""
        return {
            "Applied": ",".join(str(version) for version in self.applied) or "none",
            "SchemaVersion": str(self.schema_version),
        }


def migrate_database() -> MigrationRun:
    """Apply the migrations that the configured database lacks."""
    with connect(get_settings(), application_name="loyalty-migrate") as connection:
        connection.row_factory = tuple_row
        applied = apply_migrations(connection)
        latest = connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    return MigrationRun(applied, latest or 0)


def migrate_on_deploy() -> dict[str, str]:
    """The work of the deploy's custom resource: migrate, answer the run's attributes."""
    return migrate_database().attributes()


def main() -> int:
    applied = migrate_database().applied
    print(f"migrations applied: {len(applied)}" + (f" ({applied})" if applied else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
