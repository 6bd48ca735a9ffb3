"""template.yaml and the code agree, and the template holds what a deploy to AWS needs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from loyalty.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "template.yaml").read_text()
NO_VALUE = {"Ref": "AWS::NoValue"}

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
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/api/docs/swagger-ui.js"),
    ("GET", "/api/docs/swagger-ui.css"),
}


def template_routes() -> set[tuple[str, str]]:
    pairs = re.findall(r"Path: (\S+)\n\s+Method: (\w+)", TEMPLATE)
    return {(method.upper(), path) for path, method in pairs}


def test_the_template_routes_every_endpoint_of_the_contract_and_no_other() -> None:
    assert template_routes() == CONTRACT_ROUTES


def test_every_function_folder_is_in_the_template_with_a_handler() -> None:
    folders = sorted(path.name for path in (ROOT / "functions").iterdir() if path.is_dir())
    code_uris = sorted(re.findall(r"CodeUri: functions/(\w+)/", TEMPLATE))
    assert folders == code_uris
    # The API's functions answer through the resolver (earn and redeem with a direct path in
    # front of it); the deploy's custom resource (the migrations) through the custom resource
    # protocol.
    entry = (
        r"^handler = (lambda_handler\(app(, direct=direct\.points_change\(PATH, \w+\.\w+\))?\)"
        r"|custom_resource_handler\(\w+\))$"
    )
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


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !Sub, ...) read as their long forms."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)
PARSED = yaml.load(TEMPLATE, Loader=_TemplateLoader)  # noqa: S506 - a safe loader, extended
RESOURCES = PARSED["Resources"]
FUNCTIONS = {
    name: resource["Properties"]
    for name, resource in RESOURCES.items()
    if resource["Type"] == "AWS::Serverless::Function"
}
READ_SECRET = {"Fn::If": ["HasDatabaseSecret", {"Ref": "ReadDatabaseSecretPolicy"}, NO_VALUE]}


def test_every_parameter_says_what_it_is_and_is_constrained() -> None:
    # Lambda checks the two lists of network ids when it attaches the functions to the VPC.
    free = {"SubnetIds", "SecurityGroupIds"}
    constraints = {"AllowedPattern", "AllowedValues", "MinValue", "MaxValue"}
    for name, parameter in PARSED["Parameters"].items():
        assert parameter["Description"].strip(), name
        assert name in free or constraints & set(parameter), name


def test_each_function_may_read_the_database_secret_and_nothing_more() -> None:
    # Given the one policy the template writes: reading the configured secret
    policy = RESOURCES["ReadDatabaseSecretPolicy"]
    assert policy["Condition"] == "HasDatabaseSecret"
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": {"Ref": "DatabaseSecretArn"},
        }
    ]
    # Then every function that reaches the database gets exactly it, and only when a secret is
    # configured; the document and the docs page never touch the database and get nothing
    for name, properties in FUNCTIONS.items():
        if name in {"OpenApiFunction", "DocsFunction"}:
            assert "Policies" not in properties, name
        else:
            assert properties["Policies"] == [READ_SECRET], name
    assert "Policies" not in PARSED["Globals"]["Function"]


def test_each_function_logs_to_a_log_group_of_its_own_with_retention() -> None:
    groups = []
    for name, properties in FUNCTIONS.items():
        group = properties["LoggingConfig"]["LogGroup"]["Ref"]
        resource = RESOURCES[group]
        assert resource["Type"] == "AWS::Logs::LogGroup", name
        assert resource["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
        folder = properties["CodeUri"].split("/")[1]
        expected = {"Fn::Sub": f"/aws/lambda/${{AWS::StackName}}/{folder}"}
        assert resource["Properties"]["LogGroupName"] == expected, name
        groups.append(group)
    assert len(set(groups)) == len(FUNCTIONS)


def test_the_functions_read_only_variables_the_layer_knows() -> None:
    # Given every variable the template sets for a function
    variables = set(PARSED["Globals"]["Function"]["Environment"]["Variables"])
    for properties in FUNCTIONS.values():
        variables |= set(properties.get("Environment", {}).get("Variables", {}))
    # Then each is a setting of the layer (its name upper-cased), Powertools' own or pydantic's
    settings = {name.upper() for name in Settings.model_fields}
    libraries = ("POWERTOOLS_", "PYDANTIC_")
    assert {v for v in variables - settings if not v.startswith(libraries)} == set()
    assert {"DATABASE_URL", "DATABASE_SECRET_ARN", "CORS_ALLOWED_ORIGINS"} <= variables


def test_the_optional_parts_hang_on_conditions_and_default_to_off() -> None:
    parameters = PARSED["Parameters"]
    for name in ("DatabaseUrl", "DatabaseSecretArn", "DatabaseProxyEndpoint", "AlarmTopicArn"):
        assert parameters[name]["Default"] == "", name
    assert parameters["SubnetIds"]["Default"] == ""
    assert parameters["DatabaseUrl"]["NoEcho"] is True
    assert PARSED["Globals"]["Function"]["VpcConfig"] == {
        "Fn::If": [
            "InVpc",
            {"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": {"Ref": "SecurityGroupIds"}},
            NO_VALUE,
        ]
    }
    assert PARSED["Conditions"]["InVpc"] == {
        "Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "SubnetIds"}]}, ""]}]
    }


def test_the_api_stage_throttles_every_route_with_the_parameters() -> None:
    api = RESOURCES["LoyaltyApi"]["Properties"]
    assert api["MethodSettings"] == [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
        }
    ]


def test_the_migrations_run_on_every_new_layer_version_before_the_api_code() -> None:
    migrations = RESOURCES["DatabaseMigrations"]
    assert migrations["Type"] == "Custom::DatabaseMigrations"
    assert migrations["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": ["MigrateDatabaseFunction", "Arn"]},
        "Layer": {"Ref": "CommonLayer"},
        "ServiceTimeout": 660,
    }
    assert "Events" not in FUNCTIONS["MigrateDatabaseFunction"]
    # New code of the API goes live only once the schema it needs is there.
    for name in FUNCTIONS.keys() - {"MigrateDatabaseFunction"}:
        assert RESOURCES[name]["DependsOn"] == "DatabaseMigrations", name


def test_the_alarms_watch_this_api_and_notify_the_optional_topic() -> None:
    alarms = {n: r["Properties"] for n, r in RESOURCES.items() if r["Type"].endswith("::Alarm")}
    assert set(alarms) == {
        "ApiServerErrorsAlarm",
        "ApiDurationP99Alarm",
        "FunctionErrorsAlarm",
        "FunctionThrottlesAlarm",
    }
    api_name = RESOURCES["LoyaltyApi"]["Properties"]["Name"]
    for name, alarm in alarms.items():
        if alarm["Namespace"] == "AWS/ApiGateway":
            dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
            assert dimensions == {"ApiName": api_name, "Stage": {"Ref": "StageName"}}, name
        topic = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], NO_VALUE]}
        assert alarm["AlarmActions"] == topic, name
        assert alarm["OKActions"] == topic, name
    assert alarms["ApiDurationP99Alarm"]["ExtendedStatistic"] == "p99"
    assert alarms["ApiServerErrorsAlarm"]["MetricName"] == "5XXError"


def test_the_outputs_give_the_api_url() -> None:
    assert PARSED["Outputs"]["ApiUrl"]["Value"] == {
        "Fn::Sub": "https://${LoyaltyApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}"
    }
