"""Every topic of the pipeline, by stage, with the configured prefix; in one place.

    posts.raw → filter → posts.relevant → dedup → posts.unique → extract → claims → control → alerts
                  ↘            ↘                    ↘                       ↘
                                 deadletter (any stage: the record, the stage and the reason)
    posts.duplicates: reposts and copies, each linked to its original (dup_of)
    verdicts → control: analysts' confirm/reject of an alert, keyed by district like claims

Keys: posts.raw by account; posts.relevant by what they claim (places and sides: copies meet on
one partition); posts.unique by post id; claims and alerts by district ('province/district'), so
one district's state lives on one partition.
"""

from __future__ import annotations

from faust.types import TopicT

from districtwatch.app import app, settings

STAGE_TOPICS = (
    "posts.raw",
    "posts.relevant",
    "posts.unique",
    "posts.duplicates",
    "claims",
    "alerts",
    "deadletter",
    "verdicts",
)


def _topic(stage: str) -> TopicT:
    return app.topic(settings.topic(stage), key_type=bytes, value_type=bytes)


posts_raw = _topic("posts.raw")
posts_relevant = _topic("posts.relevant")
posts_unique = _topic("posts.unique")
posts_duplicates = _topic("posts.duplicates")
claims = _topic("claims")
alerts = _topic("alerts")
deadletter = _topic("deadletter")
verdicts = _topic("verdicts")

#: What the control stage reads: claims and verdicts, both keyed by district, on one channel.
control_inputs = app.topic(
    settings.topic("claims"), settings.topic("verdicts"), key_type=bytes, value_type=bytes
)
