"""The layer's structured logger, shared by every module and function.

Log messages are constant lowercase phrases with data as fields; the API Gateway request id
is the correlation id. Nothing logs an event, a token, a password or a header.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

SERVICE = "loyalty-api"

logger = Logger(service=SERVICE)
