"""The control map's starting point: who held which district at a date, from a file.

Without a baseline every district starts with an unknown controller, and the first claim about it
reads as "? → actor". A baseline lets alerts say who lost the district. The file is JSON::

    {"as_of": "2021-08-16T00:00:00Z", "default_controller": "taliban",
     "districts": [{"province": "Panjshir", "district": "Paryan", "controller": "resistance"}]}

``default_controller`` (optional) applies to every district not listed.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from districtwatch.codec import describe
from districtwatch.core.control.policy import DistrictState
from districtwatch.errors import ConfigError


class BaselineEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    province: str
    district: str
    controller: str | None


class Baseline(BaseModel):
    """Control of districts at ``as_of``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: datetime
    default_controller: str | None = None
    districts: tuple[BaselineEntry, ...] = ()

    def state(self, province: str, district: str) -> DistrictState:
        """The starting state of a district."""
        controller = self.default_controller
        for entry in self.districts:
            if entry.province == province and entry.district == district:
                controller = entry.controller
                break
        return DistrictState(
            district=district,
            province=province,
            controller=controller,
            since=self.as_of if controller else None,
            confidence=1.0 if controller else 0.0,
        )

    @classmethod
    def load(cls, path: Path | None) -> Baseline | None:
        if path is None:
            return None
        try:
            return cls.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise ConfigError(f"baseline {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise ConfigError(f"baseline {path}: malformed JSON at line {exc.lineno}: {exc.msg}") from exc
        except ValidationError as exc:
            raise ConfigError(f"baseline {path}: {describe(exc)}") from exc


def initial_state(baseline: Baseline | None, province: str, district: str) -> DistrictState:
    """A district's state before any claim: from the baseline, or unknown."""
    if baseline is None:
        return DistrictState(district=district, province=province)
    return baseline.state(province, district)
