"""The health check: whether this function can reach its database right now."""

from __future__ import annotations

from loyalty.db import database
from loyalty.errors import DatabaseUnavailableError


def database_reachable() -> bool:
    """True when a trivial statement runs; the connection is replaced first if it dropped."""
    try:
        database.fetch_one("SELECT 1", read_only=True)
    except DatabaseUnavailableError:
        return False
    return True
