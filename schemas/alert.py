"""An alert: a district changed hands, at some level of certainty; what notifiers deliver."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AlertStatus(StrEnum):
    """How sure the service is of a change; an alert for a change may move through several."""

    REPORTED = "reported"
    CONFIRMED = "confirmed"
    CONTESTED = "contested"
    RETRACTED = "retracted"


class AlertSource(BaseModel):
    """One post cited as evidence for an alert."""

    model_config = ConfigDict(frozen=True)

    account: str
    platform: str
    via: str | None = Field(None, description="The account a repost came through, if it did.")
    url: str | None = None
    excerpt: str
    created_at: datetime


class AnalystCheck(BaseModel):
    """The analyst verdict an alert carries, if a human has checked the change."""

    model_config = ConfigDict(frozen=True)

    verdict: str = Field(description="confirm or reject")
    by: str
    reason: str = ""
    at: datetime


class Alert(BaseModel):
    """A change of hands of one district at one status.

    ``alert_id`` is derived from district, change, status and first evidence, so that a replay or a
    retry produces the same id and notifiers can deliver each alert once. ``change_id`` is shared by
    all alerts about the same change (reported, then confirmed…), so notifiers can thread them.
    """

    model_config = ConfigDict(frozen=True)

    alert_id: str
    change_id: str
    status: AlertStatus
    district: str
    province: str
    lat: float | None = None
    lon: float | None = None
    gained_by: str | None
    lost_by: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    sources: list[AlertSource]
    analyst: AnalystCheck | None = Field(None, description="Set when an analyst confirmed or rejected it.")
    first_seen: datetime = Field(description="Event time of the first evidence.")
    emitted_at: datetime = Field(description="Wall-clock time the alert was emitted; not in the id.")
