"""Connections run out under load: 503 with Retry-After, never 500, then recovery.

The scenario of ``make overload`` (tools/overload.py), shortened: PostgreSQL admits only a
few connections, other clients take every free slot, and the local API's workers that have
no connection yet must answer 503 until slots are freed again.
"""

from __future__ import annotations

from tests.conftest import TEST_PASSWORD_HASH_COST
from tools import overload

MAX_CONNECTIONS = 12
WORKERS = 2


def test_the_api_answers_503_while_connections_run_out_and_then_recovers() -> None:
    assert overload.minimum_connections(WORKERS) <= MAX_CONNECTIONS
    # Given a database that admits few connections, all taken by other clients
    with overload.overloaded_stack(
        MAX_CONNECTIONS, WORKERS, parameters=(f"PasswordHashCost={TEST_PASSWORD_HASH_COST}",)
    ) as (database_url, base_url):
        # When clients send earns, redeems and reads through the phases
        scenario = overload.run(
            database_url,
            base_url,
            max_connections=MAX_CONNECTIONS,
            workers=WORKERS,
            clients=4,
            seconds=1.5,
        )
    exhausted, scarce, recovered = (phase.tally for phase in scenario.phases)
    # Then while no slot is free every answer is 503 (each with Retry-After, or it would be
    # counted as unexpected); with a few slots the workers that got one serve (which
    # functions they belong to is chance) and the others answer 503; none is ever a 500
    assert set(exhausted.statuses) == {503}
    assert 503 in scarce.statuses
    assert set(scarce.statuses) - {503}
    for tally in (exhausted, scarce, recovered):
        assert not tally.unexpected, tally.unexpected
        assert 500 not in tally.statuses
    # And once the slots are free the same workers serve again, and the ledger holds
    assert 503 not in recovered.statuses
    assert 200 in recovered.statuses
    assert scenario.problems == []
    assert scenario.ok
