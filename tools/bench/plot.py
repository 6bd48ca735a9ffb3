"""The plot of ``make bench``: cold start per function against the baseline, as a PNG.

``python -m tools.bench.plot RESULTS.json OUT.png`` runs in the benchmark's own environment
(``.venv-bench``, with matplotlib), apart from the functions' environment.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from matplotlib.figure import Figure

BASELINE_COLOUR = "#7f7f7f"
MET_COLOUR = "#2b7bba"
MISSED_COLOUR = "#d9534f"
FIRST_REQUEST_COLOUR = "#c6dbef"


def plot(results: dict, output: Path) -> None:
    cold = results["cold_start"]
    subjects = [subject for subject in cold["subjects"] if "first_request" in subject]
    names = [subject["name"] for subject in subjects]
    imports = [subject["import"]["median_ms"] for subject in subjects]
    firsts = [subject["first_request"]["median_ms"] for subject in subjects]
    colours = [
        BASELINE_COLOUR
        if subject["name"] == "baseline"
        else (MET_COLOUR if subject["met"] else MISSED_COLOUR)
        for subject in subjects
    ]
    # A Figure of its own, without pyplot: no window system and no global state.
    figure = Figure(figsize=(9, 0.42 * len(names) + 1.6), dpi=110)
    axes = figure.subplots()
    rows = range(len(names))
    axes.barh(rows, firsts, color=FIRST_REQUEST_COLOUR, label="import + first request")
    axes.barh(rows, imports, color=colours, height=0.55, label="import (the budget)")
    axes.axvline(cold["baseline_ms"], color=BASELINE_COLOUR, linestyle="--", linewidth=1)
    compiled = results.get("cold_start_compiled")
    if compiled:
        # The same baseline with bytecode, as the functions have it: the code alone.
        axes.axvline(compiled["baseline_ms"], color=BASELINE_COLOUR, linestyle=":", linewidth=1)
    for row, subject in zip(rows, subjects, strict=True):
        label = f"{subject['import']['median_ms']:.0f} ms"
        if "vs_baseline" in subject:
            label += f" ({(subject['vs_baseline'] - 1) * 100:+.1f} % beside the baseline)"
        axes.text(max(firsts[row], imports[row]) + 3, row, label, va="center", fontsize=8)
    axes.set_yticks(list(rows), names, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, max(firsts) * 1.45)
    axes.set_xlabel(f"milliseconds, medians over {cold['rounds']} rounds of fresh interpreters")
    axes.set_title(
        "Cold start per function, as Lambda runs it, against a textbook Powertools handler\n"
        "as a textbook deploy gives it (dashed line) and compiled like the functions (dotted)",
        fontsize=10,
    )
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2, fontsize=8)
    figure.tight_layout()
    figure.savefig(output)


def main(argv: list[str] | None = None) -> int:
    source, output = (argv if argv is not None else sys.argv[1:])[:2]
    plot(json.loads(Path(source).read_text()), Path(output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
