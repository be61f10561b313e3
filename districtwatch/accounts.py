"""The registry of monitored accounts: who they are, where they report from, how far to trust them.

Loaded from a YAML file named in settings (``accounts_file``). The control stage reads trust (one post
from a ``trusted`` account confirms a change); the extract stage reads the home province (it resolves
district names used in more than one province). A bad entry is reported with its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from districtwatch.codec import describe
from districtwatch.errors import ConfigError


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
        lines = _entry_lines(root)
        accounts = []
        seen: dict[tuple[str, str], int] = {}
        for index, entry in enumerate(entries):
            line = lines[index] if index < len(lines) else 0
            try:
                account = Account.model_validate(entry)
            except ValidationError as exc:
                raise ConfigError(f"{source}:{line}: account #{index + 1}: {describe(exc)}") from exc
            if account.key in seen:
                raise ConfigError(f"{source}:{line}: {account.handle} is listed twice (see line {seen[account.key]})")
            seen[account.key] = line
            accounts.append(account)
        return cls(tuple(accounts))


def _entry_lines(root: yaml.Node | None) -> list[int]:
    """1-based line of each item of the 'accounts' sequence, for error messages."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "accounts" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
