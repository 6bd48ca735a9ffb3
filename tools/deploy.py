"""Deploy the built template with one of samconfig.toml's environments; print its API URL.

``python -m tools.deploy dev`` (``make deploy CONFIG_ENV=dev``, which builds first) runs
``sam deploy --config-env dev`` with the environment's ``parameter_overrides`` from
samconfig.toml plus the account's settings, which are never committed and come from the
process environment:

- ``DATABASE_SECRET_ARN`` (required): the Secrets Manager secret of the database;
- ``DATABASE_PROXY_ENDPOINT``: an RDS Proxy in front of it;
- ``SUBNET_IDS`` and ``SECURITY_GROUP_IDS``: comma-separated, to run the functions in a VPC;
- ``CORS_ALLOWED_ORIGINS``: comma-separated browser origins;
- ``ALARM_TOPIC_ARN``: the SNS topic that the alarms notify.

``sam deploy`` takes one ``--parameter-overrides`` and lets it replace samconfig.toml's, so the
two are merged here. ``python -m tools.deploy dev --api-url`` prints the deployed stack's
``ApiUrl`` output, for ``make e2e BASE_URL=...``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMCONFIG = ROOT / "samconfig.toml"
SAM = ROOT / ".venv-sam" / "bin" / "sam"

# Template parameter: the process environment variable that gives it at deploy time.
ACCOUNT_SETTINGS = {
    "DatabaseSecretArn": "DATABASE_SECRET_ARN",
    "DatabaseProxyEndpoint": "DATABASE_PROXY_ENDPOINT",
    "SubnetIds": "SUBNET_IDS",
    "SecurityGroupIds": "SECURITY_GROUP_IDS",
    "CorsAllowedOrigins": "CORS_ALLOWED_ORIGINS",
    "AlarmTopicArn": "ALARM_TOPIC_ARN",
}
REQUIRED = {"DatabaseSecretArn"}


class DeployConfigError(Exception):
    """The environment is not in samconfig.toml, or a required setting is missing."""


def environment(config_env: str, samconfig: Path = SAMCONFIG) -> dict:
    """The settings of one environment of samconfig.toml."""
    config = tomllib.loads(samconfig.read_text())
    if config_env == "version" or config_env not in config:
        raise DeployConfigError(f"no environment {config_env!r} in {samconfig.name}")
    return config[config_env]


def parameter_overrides(
    config_env: str, environ: Mapping[str, str], samconfig: Path = SAMCONFIG
) -> list[str]:
    """samconfig.toml's overrides of the environment, then the account's settings."""
    configured = environment(config_env, samconfig).get("deploy", {}).get("parameters", {})
    overrides = str(configured.get("parameter_overrides", "")).split()
    for parameter, variable in ACCOUNT_SETTINGS.items():
        value = environ.get(variable, "").strip()
        if value:
            overrides.append(f"{parameter}={value}")
        elif parameter in REQUIRED:
            raise DeployConfigError(f"set {variable} (the {parameter} parameter) to deploy")
    return overrides


def stack_name(config_env: str, samconfig: Path = SAMCONFIG) -> str:
    return environment(config_env, samconfig)["global"]["parameters"]["stack_name"]


def api_url(config_env: str) -> str:
    """The ApiUrl output of the environment's deployed stack."""
    listing = subprocess.run(
        [
            str(SAM),
            "list",
            "stack-outputs",
            "--stack-name",
            stack_name(config_env),
            "--output",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    outputs = {output["OutputKey"]: output["OutputValue"] for output in json.loads(listing)}
    return outputs["ApiUrl"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy", description=__doc__)
    parser.add_argument("config_env", help="an environment of samconfig.toml: dev or prod")
    parser.add_argument("--api-url", action="store_true", help="print the deployed ApiUrl only")
    args = parser.parse_args(argv)
    try:
        if args.api_url:
            print(api_url(args.config_env))
            return 0
        overrides = parameter_overrides(args.config_env, os.environ)
    except DeployConfigError as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    command = [str(SAM), "deploy", "--config-env", args.config_env]
    deployed = subprocess.run(
        [*command, "--parameter-overrides", *overrides], cwd=ROOT, check=False
    )
    if deployed.returncode != 0:
        return deployed.returncode
    print(f"ApiUrl: {api_url(args.config_env)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
