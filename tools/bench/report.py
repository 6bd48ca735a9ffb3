"""The tables of ``make bench``, in Markdown, from the results it records as JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    return [_row(*header), _row(*("---" for _ in header)), *(_row(*row) for row in rows)]


def _percent(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.1f} %"


def cold_start_verdict(subject: dict[str, Any], baseline_ms: float) -> str:
    if subject["aws_sdk_imported"]:
        return "missed: imports " + ", ".join(subject["aws_sdk_imported"])
    if subject["met"]:
        return "met"
    over = (subject["vs_baseline"] - 1) * baseline_ms
    return f"missed by {_percent(subject['vs_baseline'])} (about {over:.1f} ms)"


def cold_start_table(cold: dict[str, Any], *, judged: bool = True) -> list[str]:
    """The cold starts; ``judged`` says whether the run is the one the budget judges."""
    rows = []
    for subject in cold["subjects"]:
        if "first_request" not in subject:
            rows.append((subject["name"], subject["import"]["median_ms"], "", "", "", "", ""))
            continue
        baseline = subject["name"] == "baseline"
        rows.append(
            (
                subject["name"],
                subject["import"]["median_ms"],
                "" if baseline else _percent(subject["vs_baseline"]),
                subject["first_request"]["median_ms"],
                "" if baseline else _percent(subject["first_request_vs_baseline"]),
                ", ".join(subject["aws_sdk_imported"]) or "no",
                "" if baseline or not judged else cold_start_verdict(subject, cold["baseline_ms"]),
            )
        )
    header = (
        "function",
        "import, median ms",
        "vs baseline beside it (median)",
        "import + first request, ms",
        "vs baseline beside it (median)",
        "boto3",
        "budget: import ≤ baseline" if judged else "budget (judged in the table above)",
    )
    return _table(header, rows)


def warm_round_trips(counts: list[int]) -> str:
    """The usual count, and the exceptions: ``[1, 1, 2, 1]`` reads "1 (once 2)"."""
    tally = Counter(counts)
    usual = tally.most_common(1)[0][0]
    others = [
        f"{'once' if times == 1 else f'{times} times'} {count}"
        for count, times in sorted(tally.items())
        if count != usual
    ]
    return f"{usual} ({', '.join(others)})" if others else str(usual)


def round_trip_table(round_trips: list[dict[str, Any]]) -> list[str]:
    rows = []
    for result in round_trips:
        budget = result["budget"]
        verdict = "" if budget is None else ("met" if result["met"] else "missed")
        rows.append(
            (
                result["endpoint"],
                result["cold"],
                warm_round_trips(result["warm"]),
                "" if budget is None else f"≤ {budget}: {verdict}",
            )
        )
    header = ("endpoint", "cold connection", "warm connection", "budget")
    return _table(header, rows)


def warm_table(warm: list[dict[str, Any]], *, judged: bool = True) -> list[str]:
    """The warm costs; ``judged`` says whether the run is the one the budget judges."""
    rows = []
    for result in warm:
        budget = result["ratio_budget"]
        verdict = ""
        if budget is not None:
            verdict = f"≤ {budget}x: " + ("met" if result["met"] else "missed")
            if not judged:
                verdict = f"(≤ {budget}x judges the run above)"
        rows.append(
            (
                result["endpoint"],
                result["runs"],
                f"{result['handler_median_ms']:.3f}",
                f"{result['bare_sql_median_ms']:.3f}",
                f"{result['ratio']:.2f}",
                verdict,
                f"{result['python_only_median_ms']:.3f}",
            )
        )
    header = (
        "endpoint",
        "runs",
        "handler, median ms",
        "bare SQL, median ms",
        "ratio",
        "budget",
        "handler without database (its Python), ms",
    )
    return _table(header, rows)


def memory_table(memory: list[dict[str, Any]]) -> list[str]:
    rows = [
        (
            result["function"]
            + (" (a fresh Idempotency-Key each)" if result["idempotency_keys"] else ""),
            result["rss_kib"]["after_import"],
            result["rss_kib"]["1000"],
            result["rss_kib"]["10000"],
            f"{result['growth_kib']:+d}",
            "met" if result["met"] else "missed",
        )
        for result in memory
    ]
    header = (
        "worker",
        "RSS after import, KiB",
        "after 1,000 requests",
        "after 10,000",
        "growth, KiB",
        "budget: noise (≤ 1 MiB)",
    )
    return _table(header, rows)


def throughput_table(load: dict[str, Any]) -> list[str]:
    answers = ", ".join(f"{status}: {count}" for status, count in load["answers"].items())
    row = (
        load["clients"],
        f"{load['requests']} in {load['seconds']} s",
        load["requests_per_second"],
        load["p50_ms"],
        load["p95_ms"],
        load["p99_ms"],
        load["errors"],
        load["ledger"],
        answers,
    )
    header = (
        "clients",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "ledger",
        "answers",
    )
    return _table(header, [row])


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    cold = results["cold_start"]
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` on {machine['date']}: {machine['cores']} cores, Python"
        f" {machine['python']}, PostgreSQL {machine['postgres']} on a Unix socket. Written by"
        " `tools/bench`; the README explains each measurement.",
        "",
        f"## Cold start ({cold['rounds']} rounds of fresh interpreters, each function's run"
        " beside a run of the baseline)",
        "",
        "As Lambda runs them: the built functions and layer (compiled to bytecode by `make"
        " build`), read-only; the baseline as a textbook deploy gives it, on the same libraries"
        " without bytecode.",
        "",
        *cold_start_table(cold),
        "",
    ]
    compiled = results.get("cold_start_compiled")
    if compiled:
        lines += [
            "The same functions beside the baseline compiled too (the code alone, for"
            " comparison; the budget is the table above):",
            "",
            *cold_start_table(compiled, judged=False),
            "",
        ]
    lines += [
        "## Database round trips (counted on the wire)",
        "",
        *round_trip_table(results["round_trips"]),
        "",
        f"## Warm cost (in process, {results['durability']})",
        "",
        *warm_table(results["warm"]),
        "",
        "The textbook handler of the cold-start baseline (no database, no layer) costs"
        f" {results['warm_baseline_ms']:.3f} ms per request.",
        "",
    ]
    if results.get("warm_without_fsync"):
        lines += [
            "The same two writes on a cluster without fsync (the test suite's), where a commit",
            "costs no disk flush:",
            "",
            *warm_table(results["warm_without_fsync"], judged=False),
            "",
        ]
    lines += [
        "## Memory of one worker",
        "",
        *memory_table(results["memory"]),
        "",
        "## Throughput through the local API (for the record)",
        "",
        *throughput_table(results["throughput"]),
        "",
    ]
    return "\n".join(lines)
