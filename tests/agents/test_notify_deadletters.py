"""notify's dead letters take the path every stage's take: cut to 256 KiB, and counted by stage and kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from districtwatch.codec import MAX_KEPT_BYTES, decode
from districtwatch.schemas import DeadLetter


@dataclass
class Message:
    topic: str = "t.alerts"
    partition: int = 1
    offset: int = 42


@dataclass
class Event:
    value: bytes
    message: Message = field(default_factory=Message)


@dataclass
class Topic:
    """Records the sends, as a Faust topic would take them."""

    sent: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def send(self, *, key: bytes, value: bytes, **_: Any) -> None:
        self.sent.append((key, value))


def deadlettered(stage: str, kind: str) -> float:
    from districtwatch.app import registry

    value = registry.get_sample_value(
        "districtwatch_stage_deadlettered_records_total", {"stage": stage, "reason": kind}
    )
    return value or 0.0


async def test_a_huge_alert_refused_by_a_destination_is_cut_and_counted() -> None:
    """A destination refuses an alert of 300 KiB: its letter on alerts.deadletter, keyed by the
    destination, keeps the first 256 KiB and says so, and the dead-letter metric counts it."""
    from districtwatch.agents.notify import _dead_letter

    topic = Topic()
    huge = b"x" * (300 * 1024)
    before = deadlettered("notify", "rejected")
    await _dead_letter(topic, "alerts", "rejected", "alerts: rejected: 400 msg_too_long", Event(huge))
    ((key, value),) = topic.sent
    letter = decode(value, DeadLetter)
    assert key == b"alerts"
    assert (letter.stage, letter.topic, letter.partition, letter.offset) == ("notify", "t.alerts", 1, 42)
    assert letter.raw == huge[:MAX_KEPT_BYTES]
    assert letter.reason == "alerts: rejected: 400 msg_too_long (the first 262,144 of 307,200 bytes are kept)"
    assert deadlettered("notify", "rejected") == before + 1
