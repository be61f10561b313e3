"""Tokens and webhook URLs: from the settings (environment, .env) or a file in the secrets dir.

A secret is named like its environment variable (``DISTRICTWATCH_SLACK_BOT_TOKEN``). The setting of
that name wins; otherwise the file of that name in ``secrets_dir`` (Docker and Kubernetes mount
secrets as such files) is read, without its trailing newline. Names that are not settings (a second
webhook's URL, say) can only come from a file. Values stay :class:`SecretStr` until a client is
built, so they never show in a repr, a log line or an error.
"""

from __future__ import annotations

import re

from pydantic import SecretStr

from districtwatch.errors import ConfigError
from districtwatch.settings import Settings

ENV_PREFIX = "DISTRICTWATCH_"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def read_secret(settings: Settings, name: str) -> SecretStr | None:
    """The secret ``name`` from the settings or the secrets dir; None where neither has it."""
    if not _SAFE_NAME.match(name) or name in (".", ".."):
        raise ConfigError(f"secret name {name!r}: use letters, digits, '.', '_' and '-'")
    field = name.removeprefix(ENV_PREFIX).lower() if name.upper().startswith(ENV_PREFIX) else None
    if field is not None and field in Settings.model_fields:
        value = getattr(settings, field)
        if isinstance(value, SecretStr) and value.get_secret_value().strip():
            return SecretStr(value.get_secret_value().strip())
    if settings.secrets_dir is None:
        return None
    path = settings.secrets_dir / name
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"secret {name}: cannot read {path}: {exc.strerror or exc}") from exc
    return SecretStr(text) if text else None
