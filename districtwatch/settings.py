"""One frozen settings object for the whole service.

Everything configurable comes from environment variables prefixed ``DISTRICTWATCH_`` or a ``.env``
file, read once here. No other module reads ``os.environ``: commands build a :class:`Settings`, may
derive a changed copy (the embedded broker's address, say) and install it with :func:`use_settings`
before the Faust app is imported.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Service configuration; see the README's configuration table for each field."""

    model_config = SettingsConfigDict(
        env_prefix="DISTRICTWATCH_", env_file=".env", env_file_encoding="utf-8", frozen=True, extra="ignore"
    )

    app_id: str = Field("districtwatch", description="Faust app id: consumer group and changelog prefix.")
    bootstrap_servers: str | None = Field(
        None, description="Kafka bootstrap servers, host:port[,host:port]. Unset: start the embedded broker."
    )
    topic_prefix: str = Field("", description="Prepended to every topic name, e.g. 'prod.'.")
    partitions: int = Field(4, ge=1, le=256, description="Partitions of the topics the service creates.")
    data_dir: Path = Field(Path("var"), description="Faust data dir; checkpoints and local state.")
    web_host: str = Field("127.0.0.1", description="Interface of the worker's web server.")
    web_port: int = Field(6066, ge=0, le=65535, description="Port of the worker's web server (/metrics).")
    gazetteer: str = Field("afghanistan", description="Bundled gazetteer name, or a path to a JSON file.")
    keyword_pack: str = Field(
        "afghanistan", description="Bundled keyword pack name, or a path to a YAML file."
    )
    max_post_chars: int = Field(20_000, ge=100, description="Longer posts are dead-lettered, not processed.")
    dedup_window_hours: float = Field(48.0, gt=0, description="Event-time window for duplicate detection.")
    near_duplicate_threshold: float = Field(
        0.7, gt=0, le=1, description="MinHash Jaccard similarity at which a post is a near-duplicate."
    )
    corroboration_window_hours: float = Field(24.0, gt=0, description="Window for independent confirmation.")
    confirm_threshold: float = Field(2.0, gt=0, description="Independent weight needed to confirm a change.")
    accounts_file: Path | None = Field(None, description="Account registry (YAML); trusted accounts, homes.")
    unknown_accounts: Literal["accept", "deadletter"] = Field(
        "accept", description="What the filter does with posts of accounts not in the registry."
    )
    baseline_file: Path | None = Field(None, description="Who held which district at a date (JSON).")
    api_token: SecretStr | None = Field(None, description="Bearer token for the worker's write endpoints.")
    api_protect_reads: bool = Field(False, description="Require the bearer token on read endpoints too.")
    map_tile_url: str | None = Field(
        None, description="XYZ tile URL template behind the map (/map); unset: no tiles, works offline."
    )
    map_tile_attribution: str = Field("", description="Attribution of the map's tiles, shown on the map.")
    map_shapes_file: Path | None = Field(
        None, description="District polygons (GeoJSON, ids 'Province/District'); unset: the bundled ones."
    )
    notifiers_file: Path | None = Field(None, description="Notifier destinations and routing rules (YAML).")
    slack_bot_token: SecretStr | None = Field(
        None, description="Slack bot token (xoxb-…) for chat.postMessage."
    )
    slack_webhook_url: SecretStr | None = Field(None, description="Slack incoming-webhook URL.")
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL.")
    telegram_bot_token: SecretStr | None = Field(None, description="Telegram Bot API token.")
    telegram_api_url: str = Field("https://api.telegram.org", description="Telegram Bot API base URL.")
    secrets_dir: Path | None = Field(None, description="Folder of secret files named like the variables.")
    telegram_preview_url: str = Field(
        "https://t.me", description="Base URL of Telegram's public channel preview."
    )
    telegram_api_id: int | None = Field(None, description="Telegram API id (telegram-telethon source).")
    telegram_api_hash: SecretStr | None = Field(
        None, description="Telegram API hash (telegram-telethon source)."
    )
    telegram_session: SecretStr | None = Field(
        None, description="Telethon StringSession of a logged-in user."
    )
    twscrape_accounts_db: Path | None = Field(None, description="twscrape database of logged-in X accounts.")
    ingest_checkpoint_dir: Path = Field(
        Path("var/checkpoints"), description="Per-account ingest checkpoints."
    )
    ingest_web_port: int = Field(6067, ge=0, le=65535, description="Port of the ingester's web server.")
    max_push_body_bytes: int = Field(1_000_000, ge=1024, description="Largest body POST /posts accepts.")
    rebalance_timeout_s: float = Field(4.0, gt=0, description="Consumer-group rebalance timeout.")
    session_timeout_s: float = Field(10.0, gt=0, description="Consumer-group session timeout.")
    recovery_stuck_s: float = Field(
        120.0,
        gt=0,
        description="A worker holding partitions, not ready, with no table-recovery progress for this "
        "long is stuck: the watchdog restarts its recovery, then makes it rejoin the group. Keep it "
        "well above the rebalance timeout, which a rejoin takes.",
    )
    log_level: str = Field("info", description="Worker log level.")
    processing_guarantee: Literal["at_least_once", "exactly_once"] = Field(
        "at_least_once",
        description="Faust's processing guarantee. exactly_once needs Kafka transactions (not on the "
        "embedded broker); alerts are delivered once either way (deterministic ids, idempotent state).",
    )

    def topic(self, stage: str) -> str:
        """Full topic name of a pipeline stage, with the configured prefix."""
        return f"{self.topic_prefix}{stage}"

    def reading_group(self, stage: str) -> str:
        """The consumer group that reads a stage's topic: the filter reads posts.raw in a group of its
        own (it is not a Faust agent, see ``districtwatch.agents.filter``), Faust's group the rest."""
        return f"{self.app_id}-filter" if stage == "posts.raw" else self.app_id


@lru_cache(maxsize=1)
def _loaded() -> Settings:
    return Settings()


_installed: Settings | None = None


def get_settings() -> Settings:
    """The installed settings, or the ones read from the environment on first use."""
    return _installed if _installed is not None else _loaded()


def use_settings(settings: Settings) -> None:
    """Install ``settings`` for this process; call before ``districtwatch.app`` is imported."""
    global _installed
    _installed = settings


def derive(settings: Settings, **changes: Any) -> Settings:
    """A validated copy of ``settings`` with ``changes`` applied (model_copy skips validation)."""
    return Settings.model_validate({**settings.model_dump(), **changes})
