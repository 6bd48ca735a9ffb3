"""The ledger invariant, checked straight in the database after a test has done its worst."""

from __future__ import annotations

import psycopg

_MEMBERS = """
SELECT b.user_id, b.balance, b.lifetime_points,
    coalesce(sum(t.points) FILTER (WHERE t.type = 'earn'), 0) AS earned,
    coalesce(sum(t.points) FILTER (WHERE t.type = 'redeem'), 0) AS redeemed,
    count(t.id) AS transactions
FROM balances b
LEFT JOIN transactions t ON t.program_id = b.program_id AND t.user_id = b.user_id
WHERE b.program_id = %s
GROUP BY b.user_id, b.balance, b.lifetime_points
ORDER BY b.user_id
"""


def ledger_of(database_url: str, program_id: int) -> dict[str, dict[str, int]]:
    """Each member's balance and transaction count, after checking that for every member the
    balance is earned minus redeemed points, never negative, and lifetime points are earned."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(_MEMBERS, [program_id]).fetchall()
    ledger = {}
    for user_id, balance, lifetime, earned, redeemed, transactions in rows:
        assert balance == earned - redeemed, user_id
        assert balance >= 0, user_id
        assert lifetime == earned, user_id
        ledger[user_id] = {"balance": balance, "transactions": transactions}
    return ledger
