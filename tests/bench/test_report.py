"""The verdicts and tables that ``make bench`` writes from its measurements."""

from __future__ import annotations

import pytest

from tools.bench import report


@pytest.mark.parametrize(
    ("counts", "read"),
    [
        ([1, 1, 1], "1"),
        ([1, 1, 1, 1, 2, 1, 1, 1], "1 (once 2)"),
        ([2, 3, 3, 2, 2], "2 (2 times 3)"),
    ],
)
def test_warm_round_trips_read_as_the_usual_count_and_the_exceptions(
    counts: list[int], read: str
) -> None:
    assert report.warm_round_trips(counts) == read


def _subject(median: float, ratio: float, met: bool, aws_sdk: list[str]) -> dict:
    return {
        "name": "earn_points",
        "import": {"median_ms": median},
        "first_request": {"median_ms": median + 5},
        "vs_baseline": ratio,
        "first_request_vs_baseline": ratio,
        "aws_sdk_imported": aws_sdk,
        "met": met,
    }


def test_a_cold_start_above_the_baseline_says_by_how_much() -> None:
    assert report.cold_start_verdict(_subject(280, 1.0, True, []), 280.0) == "met"
    missed = report.cold_start_verdict(_subject(283.5, 1.0125, False, []), 280.0)
    assert missed == "missed by +1.2 % (about 3.5 ms)"
    assert report.cold_start_verdict(_subject(270, 0.96, False, ["boto3"]), 280.0) == (
        "missed: imports boto3"
    )


def test_the_warm_table_shows_the_ratio_against_its_budget() -> None:
    rows = report.warm_table(
        [
            {
                "endpoint": "POST /api/point-balances/earn",
                "runs": 2000,
                "handler_median_ms": 0.9,
                "bare_sql_median_ms": 0.6,
                "ratio": 1.5,
                "python_only_median_ms": 0.14,
                "ratio_budget": 1.5,
                "met": True,
            },
            {
                "endpoint": "GET /api/health",
                "runs": 2000,
                "handler_median_ms": 0.1,
                "bare_sql_median_ms": 0.02,
                "ratio": 5.0,
                "python_only_median_ms": 0.07,
                "ratio_budget": None,
                "met": None,
            },
        ]
    )
    assert rows[0].startswith("| endpoint |")
    assert (
        rows[2]
        == "| POST /api/point-balances/earn | 2000 | 0.900 | 0.600 | 1.50 | ≤ 1.5x: met | 0.140 |"
    )
    assert rows[3].endswith("| 5.00 |  | 0.070 |")
