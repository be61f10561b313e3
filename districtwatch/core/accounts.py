"""The registry of monitored accounts: who they are, where they report from, how far to trust them.

Loaded from a YAML file named in settings (``accounts_file``). The control stage reads trust (one post
from a ``trusted`` account confirms a change); the extract stage reads the home province (it resolves
district names used in more than one province). A bad entry is reported with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from districtwatch.codec import describe
from districtwatch.errors import ConfigError

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


class Trust(StrEnum):
    """How much one post of the account weighs when corroborating a change."""

    LOW = "low"
    NORMAL = "normal"
    TRUSTED = "trusted"


class Account(BaseModel):
    """One monitored account, as written in the registry file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: str = Field(min_length=1)
    handle: str = Field(min_length=1)
    display_name: str | None = None
    languages: tuple[str, ...] = ()
    home_province: str | None = None
    trust: Trust = Trust.NORMAL
    poll_interval_s: float = Field(300.0, gt=0)
    enabled: bool = True
    source: str | None = Field(None, description="Ingest source kind; defaults to the platform's.")
    options: dict[str, str] = Field(default_factory=dict, description="Source-specific settings.")

    @field_validator("platform")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("handle")
    @classmethod
    def _one_word(cls, value: str) -> str:
        if any(c.isspace() for c in value) or not value.removeprefix("@"):
            raise ValueError(f"{value!r} is not a handle (one word, '@' optional)")
        return value

    @field_validator("languages", mode="before")
    @classmethod
    def _language_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value  # `languages: fa` means [fa]

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [code for code in value if not LANGUAGE_CODE.fullmatch(code)]
        if bad:
            raise ValueError(f"not ISO 639 language codes: {', '.join(bad)} (e.g. fa, ps, en)")
        return value

    @field_validator("options", mode="before")
    @classmethod
    def _scalar_options(cls, value: object) -> object:
        """YAML reads `backfill: 5` as a number; options are kept as text for the source to parse."""
        if isinstance(value, dict):
            return {
                k: str(v).lower() if isinstance(v, bool) else str(v) if isinstance(v, int | float) else v
                for k, v in value.items()
            }
        return value

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform.lower(), self.handle.removeprefix("@").lower())


@dataclass(frozen=True)
class AccountRegistry:
    """Accounts by (platform, handle), compared without case and without '@'."""

    accounts: tuple[Account, ...] = ()
    _by_key: dict[tuple[str, str], Account] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for account in self.accounts:
            self._by_key[account.key] = account

    def get(self, platform: str, handle: str) -> Account | None:
        return self._by_key.get((platform.lower(), handle.removeprefix("@").lower()))

    def is_trusted(self, platform: str, handle: str) -> bool:
        account = self.get(platform, handle)
        return account is not None and account.trust is Trust.TRUSTED

    def home_province(self, platform: str, handle: str) -> str | None:
        account = self.get(platform, handle)
        return account.home_province if account else None

    @classmethod
    def load(cls, path: Path | None) -> AccountRegistry:
        """Read a registry file; no path means no registry (every account unknown, normal trust)."""
        if path is None:
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"account registry {path}: {exc.strerror}") from exc
        return cls.parse(text, source=str(path))

    @classmethod
    def parse(cls, text: str, *, source: str = "<accounts>") -> AccountRegistry:
        try:
            root = yaml.compose(text)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}") from exc
        entries = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ConfigError(f"{source}: expected a top-level 'accounts:' list")
        nodes = _entry_nodes(root)
        accounts = []
        seen: dict[tuple[str, str], int] = {}
        for index, entry in enumerate(entries):
            node = nodes[index] if index < len(nodes) else None
            line = node.start_mark.line + 1 if node is not None else 0
            try:
                account = Account.model_validate(entry)
            except ValidationError as exc:
                where = _error_line(node, exc) or line
                name = _entry_name(entry)
                raise ConfigError(f"{source}:{where}: account #{index + 1}{name}: {describe(exc)}") from exc
            if account.key in seen:
                raise ConfigError(
                    f"{source}:{line}: {account.handle} is listed twice (see line {seen[account.key]})"
                )
            seen[account.key] = line
            accounts.append(account)
        return cls(tuple(accounts))


def _entry_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    """The YAML node of each item of the 'accounts' sequence, for line numbers in errors."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "accounts" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def _error_line(node: yaml.Node | None, exc: ValidationError) -> int | None:
    """1-based line of the field the first error is about, when the entry names it."""
    errors = exc.errors(include_url=False)
    if not isinstance(node, yaml.MappingNode) or not errors or not errors[0]["loc"]:
        return None
    field_name = errors[0]["loc"][0]
    for key, value in node.value:
        if getattr(key, "value", None) == field_name:
            return int(value.start_mark.line) + 1
    return None


def _entry_name(entry: object) -> str:
    if isinstance(entry, dict) and entry.get("handle"):
        return f" ({entry.get('platform', '?')}/{entry['handle']})"
    return ""
