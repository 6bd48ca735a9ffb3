"""Bodies of the point routes: enrol a member, and earn or redeem points."""

# No ``from __future__ import annotations``: see loyalty.models.
import hashlib
import json

from loyalty.models import Points, PositiveId, Reason, RequestBody, UserId


class Enrolment(RequestBody):
    program_id: PositiveId
    user_id: UserId


class PointsChange(RequestBody):
    program_id: PositiveId
    user_id: UserId
    points: Points
    reason: Reason | None = None

    def fingerprint(self, operation: str) -> bytes:
        """SHA-256 of what the request means: the same for the same fields in any order or
        spacing, different for the other operation."""
        meaning = {"operation": operation, **self.model_dump()}
        canonical = json.dumps(meaning, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).digest()
