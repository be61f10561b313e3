"""The records carried on districtwatch's topics, one pydantic model per module.

Every topic carries JSON encoded from one of these models (see ``districtwatch.codec``). The JSON
Schema of each is exported to ``schemas/json/`` by ``districtwatch schemas --write`` so that other
tools can produce and consume the topics; a test fails when the exported files drift from the models.
"""

from __future__ import annotations

from districtwatch.schemas.alert import Alert, AlertSource, AlertStatus
from districtwatch.schemas.claim import Claim, PostRef
from districtwatch.schemas.deadletter import DeadLetter
from districtwatch.schemas.post import Post
from districtwatch.schemas.verdict import Verdict

__all__ = ["Alert", "AlertSource", "AlertStatus", "Claim", "DeadLetter", "Post", "PostRef", "Verdict"]

#: Record type of each pipeline topic, by stage name (without prefix).
TOPIC_RECORDS: dict[str, type] = {
    "posts.raw": Post,
    "posts.relevant": Post,
    "posts.unique": Post,
    "claims": Claim,
    "alerts": Alert,
    "deadletter": DeadLetter,
    "verdicts": Verdict,
}
