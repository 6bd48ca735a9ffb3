"""Cold start: a fresh interpreter that imports a function's ``app``, as Lambda's init does.

Each subject runs from what ``sam build`` made (``make build``), as Lambda runs it: a new
process with the function's built folder, then the built layer's ``python/`` folder, as its
``PYTHONPATH``, the function's folder as the working directory, and no bytecode written
(``PYTHONDONTWRITEBYTECODE``), since Lambda's file system is read-only. The interpreter has
what Lambda's runtime has beside the layer: Python 3.12 and boto3 (``.venv-runtime``).

So bytecode matters. A package as ``sam build`` makes it holds no bytecode, and SAM zips every
file with a 1980 timestamp, so on Lambda each cold start compiles every module it imports
from source. ``make build`` therefore compiles the built functions and layer to bytecode that
Python uses without looking at the source (``unchecked-hash``). The baseline
(``tools/bench/baseline``, a textbook Powertools handler) runs two ways: as a textbook
deploy gives it, on the same libraries without bytecode (the verdict), and compiled too, to
compare the code alone.

Each round runs every function in a shuffled order, each right beside a run of the baseline
(in either order), because the machine is shared: a burst of other work lasts seconds and
would fall on a few subjects only, while a function and the baseline run beside it see the
same moment. The verdict is the median of those side-by-side ratios. One untimed round first
warms the file cache. Beside the import alone (the budget), each round also times the import
followed by the first request on the function's sample event, because Powertools and the
layer leave some work to the first request (the route's validation, the request models).
That request has no database to talk to, so the functions that need one answer 503 once
they have done everything else; register hashes its password at the lowest cost, so that its
scrypt does not hide the rest.
"""

from __future__ import annotations

import json
import os
import py_compile
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).resolve().parent / "baseline"
BASELINE_NAME = "baseline"
INTERPRETER_NAME = "python only"
# Packages a handler should not import at cold start unless it calls AWS on every request.
AWS_SDK = ("boto3",)
# The sample event of each function's first request.
EVENTS = {
    "create_program": "create-program",
    "delete_program": "delete-program",
    "docs": "docs-page",
    "earn_points": "earn-points",
    "enrol_member": "enrol-member",
    "get_balances": "get-balance",
    "get_program": "get-program",
    "health": "health",
    "list_programs": "list-programs",
    "list_transactions": "list-transactions",
    "login": "login",
    "logout": "logout",
    "openapi": "openapi-document",
    "redeem_points": "redeem-points",
    "register": "register",
    "update_program": "replace-program",
}
# Functions that no client waits for: the migrations run once per deploy, for CloudFormation.
NOT_MEASURED = {"migrate_database"}
# Each run ends with os._exit: Lambda never tears an interpreter down between its start and its
# requests, and the teardown (some 50 ms here, growing with every module loaded) would only
# blur the comparison.
_EXIT = "os._exit(0)"
_IMPORT = f"import os, app; {_EXIT}"
_FIRST_REQUEST = (
    "import json, os, sys, types, app; "
    "app.handler(json.loads(open(sys.argv[1]).read()), types.SimpleNamespace("
    "function_name='bench', memory_limit_in_mb=512, aws_request_id='cold-start', "
    "invoked_function_arn='arn:aws:lambda:us-east-1:123456789012:function:bench')); "
    f"sys.stdout.flush(); {_EXIT}"
)
_MODULES_PROBE = (
    "import sys, json, app; print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
)


@dataclass(frozen=True)
class Subject:
    name: str
    folder: Path
    layer: Path
    event: Path | None
    python: str

    def environment(self) -> dict[str, str]:
        # The baseline gets the same path as the functions: on Lambda, the runtime sets one
        # search path for every function, and each entry costs every import a lookup.
        # Beside it, only the variables the template gives every function.
        return {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": f"{self.folder}{os.pathsep}{self.layer}",
            # Lambda's file system is read-only: no bytecode is ever written there.
            "PYTHONDONTWRITEBYTECODE": "1",
            "POWERTOOLS_SERVICE_NAME": "loyalty-api",
            "POWERTOOLS_METRICS_NAMESPACE": "LoyaltyApi",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "PYDANTIC_DISABLE_PLUGINS": "__all__",
            "PASSWORD_HASH_COST": "10",
        }

    def command(self, first_request: bool) -> list[str]:
        if self.event is None:
            return [self.python, "-c", f"import os; {_EXIT}"]
        if first_request:
            return [self.python, "-c", _FIRST_REQUEST, str(self.event)]
        return [self.python, "-c", _IMPORT]


def built_functions(build_dir: Path) -> dict[str, Path]:
    """Each function's built folder, by its source folder's name (``sam build`` names the
    built folders after the template's resources)."""
    template = (ROOT / "template.yaml").read_text()
    pattern = r"^  (\w+):\n    Type: AWS::Serverless::Function\n(?:      .*\n|    .*\n)*?"
    pattern += r"      CodeUri: functions/(\w+)/"
    found = {name: build_dir / resource for resource, name in re.findall(pattern, template, re.M)}
    return {name: folder for name, folder in sorted(found.items()) if name not in NOT_MEASURED}


def _textbook_baseline(work: Path, build_dir: Path, compiled: bool) -> tuple[Path, Path]:
    """The baseline's folder and layer: as a textbook deploy gives it (the built libraries
    without bytecode), or compiled like the functions and on their layer."""
    folder = work / ("baseline-compiled" if compiled else "baseline")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(BASELINE / "app.py", folder / "app.py")
    layer = build_dir / "CommonLayer" / "python"
    if compiled:
        py_compile.compile(
            str(folder / "app.py"),
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            doraise=True,
        )
        return folder, layer
    plain = work / "layer-without-bytecode"
    if not plain.exists():
        shutil.copytree(layer, plain, ignore=shutil.ignore_patterns("__pycache__"))
    return folder, plain


def subjects(python: str, build_dir: Path, work: Path, compiled_baseline: bool) -> list[Subject]:
    """The interpreter alone, the baseline, then every function, each run by ``python``."""
    layer = build_dir / "CommonLayer" / "python"
    baseline_folder, baseline_layer = _textbook_baseline(work, build_dir, compiled_baseline)
    return [
        Subject(INTERPRETER_NAME, baseline_folder, baseline_layer, None, python),
        Subject(BASELINE_NAME, baseline_folder, baseline_layer, BASELINE / "event.json", python),
        *(
            Subject(name, folder, layer, ROOT / "events" / f"{EVENTS[name]}.json", python)
            for name, folder in built_functions(build_dir).items()
        ),
    ]


def _run(subject: Subject, first_request: bool) -> float:
    started = time.perf_counter()
    subprocess.run(
        subject.command(first_request),
        cwd=subject.folder,
        env=subject.environment(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return (time.perf_counter() - started) * 1000


def top_level_modules(subject: Subject) -> list[str]:
    """The top-level packages that importing the subject's ``app`` loads."""
    output = subprocess.run(
        [subject.python, "-c", _MODULES_PROBE],
        cwd=subject.folder,
        env=subject.environment(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def _spread(values: list[float]) -> dict[str, Any]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "min_ms": round(min(values), 1),
        "max_ms": round(max(values), 1),
        "runs_ms": [round(value, 1) for value in values],
    }


def measure(
    rounds: int,
    build_dir: Path,
    work: Path,
    *,
    python: str = sys.executable,
    compiled_baseline: bool = False,
    seed: int = 6,
) -> dict[str, Any]:
    """Wall times of each subject over ``rounds`` rounds, in milliseconds, and each function's
    ratio to the baseline run right beside it (the median of those ratios is its verdict).

    ``build_dir`` is what ``make build`` made; ``work`` a folder for the baseline's copies.
    """
    # Absolute, as each subject runs in its own folder; not resolved, which would leave the
    # virtual environment for the interpreter it links to.
    interpreter, baseline, *functions = subjects(
        os.path.abspath(python), build_dir.resolve(), work, compiled_baseline
    )
    for subject in (interpreter, baseline, *functions):
        for first in (False, True) if subject.event else (False,):
            _run(subject, first)
    times: dict[tuple[str, bool], list[float]] = defaultdict(list)
    ratios: dict[tuple[str, bool], list[float]] = defaultdict(list)
    shuffler = random.Random(seed)
    for _ in range(rounds):
        times[interpreter.name, False].append(_run(interpreter, False))
        pairs = [(function, first) for function in functions for first in (False, True)]
        shuffler.shuffle(pairs)
        for function, first in pairs:
            # Each function runs beside a baseline run, in either order, so that both see the
            # same moment of the machine; their ratio is what the verdict rests on.
            order = [baseline, function]
            shuffler.shuffle(order)
            measured = {subject.name: _run(subject, first) for subject in order}
            for subject in order:
                times[subject.name, first].append(measured[subject.name])
            ratios[function.name, first].append(measured[function.name] / measured[baseline.name])
    results: list[dict[str, Any]] = [
        {"name": interpreter.name, "import": _spread(times[interpreter.name, False])},
        {
            "name": baseline.name,
            "import": _spread(times[baseline.name, False]),
            "first_request": _spread(times[baseline.name, True]),
            "aws_sdk_imported": sorted(set(AWS_SDK) & set(top_level_modules(baseline))),
        },
    ]
    for function in functions:
        ratio = statistics.median(ratios[function.name, False])
        aws_sdk = sorted(set(AWS_SDK) & set(top_level_modules(function)))
        results.append(
            {
                "name": function.name,
                "import": _spread(times[function.name, False]),
                "first_request": _spread(times[function.name, True]),
                "vs_baseline": round(ratio, 3),
                "first_request_vs_baseline": round(
                    statistics.median(ratios[function.name, True]), 3
                ),
                "aws_sdk_imported": aws_sdk,
                "met": ratio <= 1 and not aws_sdk,
            }
        )
    return {
        "rounds": rounds,
        "baseline_compiled": compiled_baseline,
        "baseline_ms": results[1]["import"]["median_ms"],
        "baseline_first_request_ms": results[1]["first_request"]["median_ms"],
        "subjects": results,
    }
