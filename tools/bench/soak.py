"""Memory of one worker: a fresh interpreter that serves thousands of requests of a function.

``python -m tools.bench.soak`` runs with the ``PYTHONPATH`` Lambda gives the function (its
folder, then the layer) plus the repository for the sample events, imports ``app`` as
Lambda's init does, and invokes its handler on the function's sample event again and again.
It writes its resident memory (VmRSS) after each checkpoint as JSON to ``--output``; stdout
belongs to the handler's logs, as on Lambda. Earn and redeem send a fresh Idempotency-Key
every time, as the load run's clients do, so that the keyed path is the one exercised.

:func:`measure` starts one such worker per function and reads what they wrote.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from tests.support.events import load_event, sample_body
from tests.support.functions import LambdaContext

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINTS = (1_000, 10_000)
# function, sample event, whether each request carries a fresh Idempotency-Key
WORKERS = (
    ("earn_points", "earn-points", True),
    ("redeem_points", "redeem-points", True),
    ("get_balances", "get-balance", False),
)
# Growth between the checkpoints that is still noise: allocator arenas and caches settle.
NOISE_KIB = 1024


def resident_kib() -> int:
    """This process's resident set size, in KiB, as the kernel counts it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _event(name: str, token: str, program_id: int, keyed: bool) -> dict[str, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4())} if keyed else None
    if name == "get-balance":
        query = {"program_id": str(program_id), "user_id": "customer-42"}
        return load_event(name, token=token, query=query, headers=headers)
    body = {**sample_body(name), "program_id": program_id, "points": 1}
    return load_event(name, token=token, body=body, headers=headers)


def serve(args: argparse.Namespace) -> dict[str, Any]:
    handler = importlib.import_module("app").handler
    context = LambdaContext(function_name=args.function)
    memory = {"after_import": resident_kib()}
    served = 0
    for checkpoint in sorted(args.checkpoints):
        while served < checkpoint:
            event = _event(args.event, args.token, args.program_id, args.keyed)
            result = handler(event, context)
            if result["statusCode"] != 200:
                raise RuntimeError(f"{args.function} answered {result['statusCode']}")
            served += 1
        # Garbage that only waits for the collector is not a leak.
        gc.collect()
        memory[str(checkpoint)] = resident_kib()
    return memory


def measure(database_url: str, token: str, program_id: int) -> list[dict[str, Any]]:
    """Each worker's memory at the checkpoints, with its growth from the first to the last."""
    results = []
    for function, event, keyed in WORKERS:
        folder = ROOT / "functions" / function
        with tempfile.NamedTemporaryFile(suffix=".json") as output:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tools.bench.soak",
                    *("--function", function, "--event", event, "--token", token),
                    *("--program-id", str(program_id), "--output", output.name),
                    *(["--keyed"] if keyed else []),
                ],
                cwd=folder,
                env={
                    "PATH": os.environ.get("PATH", ""),
                    "PYTHONPATH": os.pathsep.join(
                        [str(folder), str(ROOT / "layers" / "common"), str(ROOT)]
                    ),
                    "DATABASE_URL": database_url,
                    "POWERTOOLS_LOG_LEVEL": "WARNING",
                },
                check=True,
                stdout=subprocess.DEVNULL,
            )
            memory = json.loads(Path(output.name).read_text())
        first, last = (memory[str(checkpoint)] for checkpoint in CHECKPOINTS)
        results.append(
            {
                "function": function,
                "idempotency_keys": keyed,
                "rss_kib": memory,
                "growth_kib": last - first,
                "met": last - first <= NOISE_KIB,
            }
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.soak", description=__doc__)
    parser.add_argument("--function", required=True)
    parser.add_argument("--event", required=True, help="name of the sample event in events/")
    parser.add_argument("--token", required=True)
    parser.add_argument("--program-id", type=int, required=True)
    parser.add_argument("--keyed", action="store_true", help="a fresh Idempotency-Key each time")
    parser.add_argument("--checkpoints", type=int, nargs="+", default=list(CHECKPOINTS))
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    Path(args.output).write_text(json.dumps(serve(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
