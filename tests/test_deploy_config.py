"""What a deploy reads besides the template: samconfig.toml, the CI workflow, tools/deploy.py.

None of it can run here (it needs an AWS account), so these tests hold it to what the README
promises: two environments that commit nothing of an account, a workflow whose deploy takes
short-lived OIDC credentials and pins every action, and parameter overrides that keep
samconfig.toml's and add the account's settings.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tools.deploy import DeployConfigError, parameter_overrides, stack_name

ROOT = Path(__file__).resolve().parent.parent
SAMCONFIG_TEXT = (ROOT / "samconfig.toml").read_text()
SAMCONFIG = tomllib.loads(SAMCONFIG_TEXT)
WORKFLOW_TEXT = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
WORKFLOW = yaml.safe_load(WORKFLOW_TEXT)
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:loyalty/dev-AbCdEf"


@pytest.mark.parametrize("config_env", ["dev", "prod"])
def test_each_environment_deploys_its_own_stack_from_cached_builds(config_env: str) -> None:
    settings = SAMCONFIG[config_env]
    assert settings["global"]["parameters"]["stack_name"] == f"loyalty-api-{config_env}"
    assert settings["build"]["parameters"] == {"cached": True, "parallel": True}
    deploy = settings["deploy"]["parameters"]
    assert deploy["resolve_s3"] is True
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["confirm_changeset"] is (config_env == "prod")


def test_samconfig_commits_no_account_bucket_or_credential() -> None:
    assert not re.search(r"\d{12}", SAMCONFIG_TEXT)
    keys = {key for env in SAMCONFIG.values() if isinstance(env, dict) for key in _keys(env)}
    assert not keys & {"s3_bucket", "region", "profile", "role_arn", "image_repository"}
    assert "Database" not in SAMCONFIG_TEXT


def _keys(table: dict) -> set[str]:
    found = set()
    for key, value in table.items():
        found.add(key)
        if isinstance(value, dict):
            found |= _keys(value)
    return found


def test_the_overrides_keep_samconfig_and_add_the_account_settings() -> None:
    # Given the account's settings in the process environment
    environ = {
        "DATABASE_SECRET_ARN": SECRET_ARN,
        "SUBNET_IDS": "subnet-0a,subnet-0b",
        "SECURITY_GROUP_IDS": "sg-0c",
        "CORS_ALLOWED_ORIGINS": "",
        "UNRELATED": "x",
    }
    # When the dev deploy's overrides are made: then samconfig's come first, then the set ones
    assert parameter_overrides("dev", environ) == [
        "StageName=v1",
        "LogLevel=DEBUG",
        "LogRetentionDays=30",
        "ThrottlingRateLimit=20",
        "ThrottlingBurstLimit=40",
        f"DatabaseSecretArn={SECRET_ARN}",
        "SubnetIds=subnet-0a,subnet-0b",
        "SecurityGroupIds=sg-0c",
    ]
    assert stack_name("prod") == "loyalty-api-prod"


def test_a_deploy_without_the_database_secret_or_with_an_unknown_environment_is_refused() -> None:
    with pytest.raises(DeployConfigError, match="set DATABASE_SECRET_ARN"):
        parameter_overrides("dev", {})
    with pytest.raises(DeployConfigError, match="no environment 'staging'"):
        parameter_overrides("staging", {"DATABASE_SECRET_ARN": SECRET_ARN})


def test_pull_requests_run_make_test_and_main_also_deploys_dev_then_smoke_tests_it() -> None:
    # "on" is read by YAML 1.1 as True.
    triggers = WORKFLOW[True]
    assert triggers == {"pull_request": None, "push": {"branches": ["main"]}}
    test, deploy = WORKFLOW["jobs"]["test"], WORKFLOW["jobs"]["deploy-dev"]
    assert [step["run"] for step in test["steps"] if "run" in step] == ["make test"]
    assert deploy["needs"] == "test"
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    runs = [step["run"] for step in deploy["steps"] if "run" in step]
    assert runs == [
        "make build",
        "make deploy CONFIG_ENV=dev",
        'make e2e BASE_URL="$(.venv/bin/python -m tools.deploy dev --api-url)"',
    ]


def test_the_deploy_assumes_a_role_through_oidc_and_no_job_holds_aws_keys() -> None:
    deploy = WORKFLOW["jobs"]["deploy-dev"]
    assert WORKFLOW["permissions"] == {}
    assert deploy["permissions"] == {"contents": "read", "id-token": "write"}
    assert WORKFLOW["jobs"]["test"]["permissions"] == {"contents": "read"}
    (credentials,) = [
        step for step in deploy["steps"] if "configure-aws-credentials" in step.get("uses", "")
    ]
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert "aws-access-key-id" not in WORKFLOW_TEXT
    assert "secrets." not in WORKFLOW_TEXT


def test_every_action_is_pinned_to_a_commit() -> None:
    uses = re.findall(r"uses: (\S+)", WORKFLOW_TEXT)
    assert len(uses) == 5
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
