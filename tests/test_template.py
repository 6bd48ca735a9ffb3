"""template.yaml and the code agree: one function per endpoint, each with its folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "template.yaml").read_text()

CONTRACT_ROUTES = {
    ("GET", "/api/health"),
    ("POST", "/api/register"),
    ("POST", "/api/login"),
    ("POST", "/api/logout"),
    ("GET", "/api/loyalty-programs"),
    ("POST", "/api/loyalty-programs"),
    ("GET", "/api/loyalty-programs/{program_id}"),
    ("PUT", "/api/loyalty-programs/{program_id}"),
    ("PATCH", "/api/loyalty-programs/{program_id}"),
    ("DELETE", "/api/loyalty-programs/{program_id}"),
    ("POST", "/api/point-balances"),
    ("GET", "/api/point-balances"),
    ("POST", "/api/point-balances/earn"),
    ("POST", "/api/point-balances/redeem"),
    ("GET", "/api/transactions"),
}


def _routes() -> set[tuple[str, str]]:
    pairs = re.findall(r"Path: (\S+)\n\s+Method: (\w+)", TEMPLATE)
    return {(method.upper(), path) for path, method in pairs}


def test_the_template_routes_every_endpoint_of_the_contract_and_no_other() -> None:
    assert _routes() == CONTRACT_ROUTES


def test_every_function_folder_is_in_the_template_with_a_handler() -> None:
    folders = sorted(path.name for path in (ROOT / "functions").iterdir() if path.is_dir())
    code_uris = sorted(re.findall(r"CodeUri: functions/(\w+)/", TEMPLATE))
    assert folders == code_uris
    # The API's functions answer through the resolver; the deploy's custom resource (the
    # migrations) through the custom resource protocol.
    entry = r"^handler = (lambda_handler\(app\)|custom_resource_handler\(\w+\))$"
    for folder in folders:
        source = (ROOT / "functions" / folder / "app.py").read_text()
        assert re.search(entry, source, re.MULTILINE), folder
    assert "Handler: app.handler" in TEMPLATE


def test_no_function_imports_the_aws_sdk_at_cold_start() -> None:
    # Each function imported as Lambda does: a fresh interpreter with the function's folder
    # and the layer on the path. (Powertools itself imports the bare botocore package, a
    # fraction of a millisecond, to tag its user agent; the SDK's clients and boto3 stay out.)
    sdk = "('boto3', 'botocore.client', 'botocore.session')"
    probe = f"import sys, app; print(sorted(m for m in {sdk} if m in sys.modules))"
    for folder in sorted((ROOT / "functions").iterdir()):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=folder,
            env={"PYTHONPATH": f"{folder}:{ROOT / 'layers' / 'common'}", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "[]", folder.name
