"""The notifiers file (destinations and routing rules) and the pure choice of destinations for an alert.

The file is YAML, validated here so a typo stops the worker at start with the line at fault instead
of silently dropping alerts::

    destinations:
      alerts:       {kind: slack-bot, channel: "#alerts"}
      alerts-quiet: {kind: slack-bot, channel: "#alerts-quiet"}
      north:        {kind: telegram, chat_id: "@districtwatch_north", updates: edit}
    rules:
      - match: {statuses: [confirmed, contested, retracted]}
        to: [alerts]
      - match: {statuses: [reported]}
        to: [alerts-quiet]
      - match: {provinces: [Baghlan, Panjshir]}
        to: [north]

An alert goes to the union of the destinations of every rule it matches, in file order, unless a
matching rule says ``stop: true``. A rule matches when every criterion it names matches (an empty
list matches anything); names compare case-insensitively. ``districtwatch/samples/notifiers.yaml``
documents every field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from districtwatch.codec import describe
from districtwatch.errors import ConfigError
from districtwatch.notifiers.base import UpdateMode
from districtwatch.schemas import Alert, AlertStatus

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Rate(BaseModel):
    """At most ``count`` messages in any ``per_seconds`` window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = Field(ge=1)
    per_seconds: float = Field(gt=0)

    @property
    def per_second(self) -> float:
        return self.count / self.per_seconds


#: Slack: about one message per second per channel (chat.postMessage's documented special limit).
SLACK_CHANNEL_RATE = Rate(count=1, per_seconds=1.0)
#: Telegram: no more than 20 messages per minute in one group or channel.
TELEGRAM_CHAT_RATE = Rate(count=20, per_seconds=60.0)
#: Telegram: about 30 messages per second for one bot across all chats.
TELEGRAM_BOT_RATE = Rate(count=30, per_seconds=1.0)


class _Destination(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: Rate | None = Field(None, description="Overrides the platform's default rate for this destination.")
    updates: UpdateMode = Field(
        UpdateMode.THREAD, description="A later alert of the same change: reply under the first, or edit it."
    )


class SlackBotDestination(_Destination):
    """A channel posted to with chat.postMessage and the bot token."""

    kind: Literal["slack-bot"]
    channel: str = Field(min_length=1, description="Channel id (C0123…) or name (#alerts).")

    @property
    def effective_rate(self) -> Rate:
        return self.rate or SLACK_CHANNEL_RATE

    @property
    def limit_key(self) -> str:
        return f"slack:{self.channel}"


class SlackWebhookDestination(_Destination):
    """An incoming webhook (bound to one channel by Slack); it cannot thread or edit."""

    kind: Literal["slack-webhook"]
    url_secret: str = Field(
        "DISTRICTWATCH_SLACK_WEBHOOK_URL",
        description="Name of the secret holding the webhook URL: the setting of that name or a file "
        "of that name in the secrets dir.",
    )

    @property
    def effective_rate(self) -> Rate:
        return self.rate or SLACK_CHANNEL_RATE

    @property
    def limit_key(self) -> str:
        return f"slack-webhook:{self.url_secret}"


class TelegramDestination(_Destination):
    """A chat, group or channel the bot may post in."""

    kind: Literal["telegram"]
    chat_id: str = Field(min_length=1, description="Numeric chat id (-100…) or @channelusername.")

    @field_validator("chat_id", mode="before")
    @classmethod
    def _chat_id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @property
    def effective_rate(self) -> Rate:
        return self.rate or TELEGRAM_CHAT_RATE

    @property
    def limit_key(self) -> str:
        return f"telegram:{self.chat_id}"


Destination = Annotated[
    SlackBotDestination | SlackWebhookDestination | TelegramDestination, Field(discriminator="kind")
]


class Match(BaseModel):
    """What an alert must be for a rule to apply; every named criterion must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provinces: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list, description="Matches the side that gained or lost.")
    statuses: list[AlertStatus] = Field(default_factory=list)
    min_confidence: float | None = Field(None, ge=0, le=1)


class Rule(BaseModel):
    """Alerts matching ``match`` go to the destinations in ``to``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    match: Match = Field(default_factory=Match)
    to: list[str] = Field(min_length=1)
    stop: bool = Field(False, description="No later rule applies to an alert this rule matched.")


class DeliveryPolicy(BaseModel):
    """Retries and timeouts of every destination."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(5, ge=1, description="Sends tried on 5xx/network errors before dead-lettering.")
    backoff_base_seconds: float = Field(
        0.5, gt=0, description="First backoff; doubles per attempt, jittered."
    )
    backoff_max_seconds: float = Field(30.0, gt=0)
    max_rate_limit_waits: int = Field(
        10, ge=0, description="429 answers honoured for one alert before it is dead-lettered."
    )
    default_retry_after_seconds: float = Field(1.0, gt=0, description="Wait after a 429 that names none.")
    timeout_seconds: float = Field(10.0, gt=0, description="One HTTP request, connect to last byte.")


class NotifiersConfig(BaseModel):
    """The whole notifiers file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    destinations: dict[str, Destination]
    rules: list[Rule] = Field(default_factory=list)
    telegram_rate: Rate = Field(TELEGRAM_BOT_RATE, description="The bot's rate across all Telegram chats.")
    delivery: DeliveryPolicy = Field(default_factory=DeliveryPolicy)

    @model_validator(mode="after")
    def _names_and_targets(self) -> NotifiersConfig:
        for name in self.destinations:
            if not _NAME.match(name):
                raise ValueError(f"destination name {name!r}: use letters, digits, '.', '_' and '-'")
        for index, rule in enumerate(self.rules):
            unknown = [target for target in rule.to if target not in self.destinations]
            if unknown:
                label = rule.name or f"rules[{index}]"
                raise ValueError(f"{label} sends to unknown destinations {unknown}")
        return self


def load_config(path: Path) -> NotifiersConfig:
    """Read and validate a notifiers file; ConfigError names the file and the field at fault."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"notifiers file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"notifiers file {path}: not valid YAML: {exc}") from exc
    try:
        return NotifiersConfig.model_validate(data or {})
    except ValidationError as exc:
        raise ConfigError(f"notifiers file {path}: {describe(exc)}") from exc


def matches(alert: Alert, match: Match) -> bool:
    """True when ``alert`` satisfies every criterion ``match`` names."""
    if match.statuses and alert.status not in match.statuses:
        return False
    if match.provinces and not _among(alert.province, match.provinces):
        return False
    if match.districts and not _among(alert.district, match.districts):
        return False
    if match.actors and not (_among(alert.gained_by, match.actors) or _among(alert.lost_by, match.actors)):
        return False
    return match.min_confidence is None or alert.confidence >= match.min_confidence


def route(alert: Alert, config: NotifiersConfig) -> list[str]:
    """Names of the destinations ``alert`` goes to, in file order, each once."""
    chosen: list[str] = []
    for rule in config.rules:
        if not matches(alert, rule.match):
            continue
        chosen.extend(target for target in rule.to if target not in chosen)
        if rule.stop:
            break
    return chosen


def _among(value: str | None, names: list[str]) -> bool:
    if value is None:
        return False
    folded = value.casefold()
    return any(folded == name.casefold() for name in names)
