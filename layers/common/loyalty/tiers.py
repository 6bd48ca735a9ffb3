"""The tier rule: a member's tier follows from their points and the program's tiers.

A member holds the highest tier whose threshold is at most their points, where "points" is
the current balance or, for a program with ``tier_basis = "lifetime"``, every point they ever
earned (so redeeming never demotes them). Below the lowest threshold there is no tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def tier_for(
    tiers: Iterable[Mapping[str, Any]], tier_basis: str, balance: int, lifetime_points: int
) -> str | None:
    """The name of the member's tier, or None."""
    points = lifetime_points if tier_basis == "lifetime" else balance
    reached = [tier for tier in tiers if tier["threshold"] <= points]
    if not reached:
        return None
    return max(reached, key=lambda tier: tier["threshold"])["name"]
