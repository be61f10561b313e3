"""An analyst's verdict on an alert, carried on the ``verdicts`` topic so it replays like a post."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Verdict(BaseModel):
    """A human check of an alert: ``confirm`` makes the change final, ``reject`` reverts it.

    ``district`` and ``province`` route the verdict to the partition holding the district's state.
    """

    model_config = ConfigDict(frozen=True)

    verdict_id: str = Field(description="Deterministic: alert id, verdict and analyst.")
    alert_id: str
    district: str
    province: str
    verdict: Literal["confirm", "reject"]
    by: str = Field(min_length=1, max_length=200, description="Who decided.")
    reason: str = Field("", max_length=2000)
    at: datetime
