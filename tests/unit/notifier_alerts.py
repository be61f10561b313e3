"""Alerts for the notifier tests: the Pul-e-Hesar story by default, any field overridable."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from districtwatch.schemas import Alert, AlertSource, AlertStatus

T0 = datetime(2021, 8, 20, 10, 0, tzinfo=UTC)
DARI = "پل حصار به دست نیروهای مقاومت افتاد"
_ids = count(1)


def make_source(account: str = "AsvakaNews", excerpt: str = DARI, **fields: Any) -> AlertSource:
    values: dict[str, Any] = {
        "account": account,
        "platform": "twitter",
        "url": f"https://twitter.com/{account}/status/1",
        "excerpt": excerpt,
        "created_at": T0,
    }
    values.update(fields)
    return AlertSource.model_validate(values)


def make_alert(**fields: Any) -> Alert:
    """A confirmed Taliban → Resistance alert for Pul-e-Hesar, Baghlan; ``fields`` override."""
    number = next(_ids)
    values: dict[str, Any] = {
        "alert_id": f"alert-{number}",
        "change_id": f"change-{number}",
        "status": AlertStatus.CONFIRMED,
        "district": "Pul-e-Hesar",
        "province": "Baghlan",
        "lat": 35.6,
        "lon": 69.3,
        "gained_by": "resistance",
        "lost_by": "taliban",
        "confidence": 0.85,
        "sources": [make_source()],
        "first_seen": T0,
        "emitted_at": T0,
    }
    values.update(fields)
    return Alert.model_validate(values)
