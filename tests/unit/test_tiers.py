"""The tier rule."""

from loyalty.tiers import tier_for

TIERS = [{"name": "Silver", "threshold": 100}, {"name": "Gold", "threshold": 1000}]


def test_no_tier_below_the_lowest_threshold() -> None:
    assert tier_for(TIERS, "balance", 99, 99) is None


def test_a_threshold_is_reached_at_exactly_its_value() -> None:
    assert tier_for(TIERS, "balance", 100, 100) == "Silver"
    assert tier_for(TIERS, "balance", 1000, 1000) == "Gold"


def test_the_highest_reached_tier_wins_whatever_the_order_given() -> None:
    assert tier_for(list(reversed(TIERS)), "balance", 5000, 5000) == "Gold"


def test_balance_basis_follows_the_balance() -> None:
    assert tier_for(TIERS, "balance", 150, 2000) == "Silver"


def test_lifetime_basis_follows_lifetime_points_so_redeeming_never_demotes() -> None:
    assert tier_for(TIERS, "lifetime", 0, 2000) == "Gold"


def test_no_tiers_means_no_tier() -> None:
    assert tier_for([], "balance", 10**9, 10**9) is None


def test_a_zero_threshold_holds_every_member() -> None:
    assert tier_for([{"name": "Member", "threshold": 0}], "balance", 0, 0) == "Member"
