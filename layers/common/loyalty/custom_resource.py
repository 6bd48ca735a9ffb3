"""The CloudFormation custom resource protocol, for work a deploy must do (the migrations).

CloudFormation invokes the function with a request (``Create``, ``Update`` or ``Delete``) and
waits, up to an hour, for an answer PUT to the request's pre-signed ``ResponseURL``. So every
request is answered, whatever happens: ``SUCCESS`` when the work was done, ``FAILED`` with a
short reason when it raised, which fails (and rolls back) the deploy. ``Delete`` does nothing
and succeeds: deleting the stack, or replacing the resource, never touches the database.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

from loyalty.observability import logger

# The same physical id on every answer, so that no update ever looks like a replacement (which
# would make CloudFormation send a Delete for the old id).
PHYSICAL_RESOURCE_ID = "loyalty-database-schema"
# CloudFormation takes a response body of up to 4 KiB; the reason is cut well short of that.
_MAX_REASON = 1000
_RESPONSE_TIMEOUT_SECONDS = 30

Work = Callable[[], dict[str, str]]
Handler = Callable[[dict, Any], None]


def custom_resource_handler(work: Work) -> Handler:
    """The Lambda entry point of a custom resource that runs ``work`` on create and update.

    ``work`` answers the resource's attributes (strings, readable with ``Fn::GetAtt``).
    """

    @logger.inject_lambda_context(log_event=False)
    def handler(event: dict, context: Any) -> None:
        request = event["RequestType"]
        logger.append_keys(request_type=request, logical_resource_id=event["LogicalResourceId"])
        physical_id = event.get("PhysicalResourceId") or PHYSICAL_RESOURCE_ID
        if request == "Delete":
            logger.info("custom resource deleted; the database is left as it is")
            respond(event, "SUCCESS", physical_id)
            return
        try:
            data = work()
        except Exception as error:  # noqa: BLE001 - any failure must reach CloudFormation
            logger.exception("custom resource failed")
            reason = f"{type(error).__name__}: {error}"[:_MAX_REASON]
            stream = getattr(context, "log_stream_name", None)
            if stream:
                reason += f" (log stream {stream})"
            respond(event, "FAILED", physical_id, reason=reason)
            return
        logger.info("custom resource done", **data)
        respond(event, "SUCCESS", physical_id, data=data)

    return handler


def respond(
    event: dict,
    status: str,
    physical_id: str,
    *,
    reason: str = "",
    data: dict[str, str] | None = None,
) -> None:
    """PUT the answer to the request's ResponseURL; a failure to deliver it is raised, so that
    Lambda retries the (idempotent) invocation."""
    body = {
        "Status": status,
        "Reason": reason or status.lower(),
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": data or {},
    }
    request = urllib.request.Request(  # noqa: S310 - the URL is CloudFormation's, https in AWS
        event["ResponseURL"],
        data=json.dumps(body).encode(),
        method="PUT",
        # The pre-signed URL is signed for an empty content type; urllib would send a form's.
        headers={"Content-Type": ""},
    )
    with urllib.request.urlopen(request, timeout=_RESPONSE_TIMEOUT_SECONDS) as answer:  # noqa: S310
        logger.info("custom resource answered", status=status, response_status=answer.status)
