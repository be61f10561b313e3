"""The small interface every ingest source implements, and how the ingester finds sources.

A source reads one account's recent posts from one platform and turns them into :class:`Post`
records. It knows nothing of Kafka, checkpoints on disk or retries: it is given the account's last
:class:`Checkpoint` and answers with a :class:`FetchResult` (the posts to produce and the checkpoint
to persist once they are acknowledged). That keeps a new source (Bluesky, RSS) to one module: a
class with ``fetch`` and ``aclose``, and a :class:`SourceSpec` naming it.

Sources are found in two places: the built-in modules listed in :data:`BUILTIN_SOURCES`, and the
entry-point group ``districtwatch.sources`` of any installed distribution, whose entry points load a
:class:`SourceSpec`. A spec is importable without the source's library (GPL snscrape, twscrape,
Telethon are optional extras); the library is imported when the source is built or probed.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr

from districtwatch.core.accounts import Account
from districtwatch.ingest.errors import SourceSetupError
from districtwatch.schemas import Post

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "districtwatch.sources"
BUILTIN_SOURCES = (
    "districtwatch.ingest.telegram_snscrape",
    "districtwatch.ingest.mastodon",
    "districtwatch.ingest.twitter_twscrape",
    "districtwatch.ingest.telegram_telethon",
)


@dataclass(frozen=True)
class Seen:
    """A post already produced: its position on the platform and a token that changes when edited."""

    seq: int
    version: str


@dataclass(frozen=True)
class Checkpoint:
    """Where polling of one account stopped.

    ``last_seq`` is the platform's own increasing number (message id, status id, tweet id) of the
    newest post produced: anything above it is new. ``recent`` remembers the last posts produced
    with their version, so an edit (new version) is produced again and a deletion (missing from a
    range the source read completely) is noticed.
    """

    last_seq: int
    last_id: str
    recent: Mapping[str, Seen] = field(default_factory=dict)
    newest_post_at: datetime | None = None


@dataclass(frozen=True)
class Item:
    """One post as a source read it, before it is compared with the checkpoint."""

    seq: int
    post: Post
    version: str
    edited_at: datetime | None = None


@dataclass(frozen=True)
class FetchResult:
    """What one poll found: the posts to produce, oldest first, and the checkpoint that follows."""

    posts: tuple[Post, ...]
    checkpoint: Checkpoint | None
    fetched: int = 0
    new: int = 0
    edited: int = 0
    deleted: tuple[str, ...] = ()
    more: bool = False  # a backlog is left over: poll again without waiting for the interval
    gap: bool = False  # the page cap was hit before reaching the checkpoint: posts may be missing


class Source(Protocol):
    """What the poller needs from a source. One instance may serve many accounts, sequentially."""

    async def fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        """New and edited posts of ``account`` after ``since``; raise a SourceError on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections and sessions."""
        ...


@dataclass(frozen=True)
class SourceSettings:
    """What sources read from the service settings; built once by the ``ingest`` command.

    Per-account ``options`` in the registry override ``base_url``, ``backfill`` and ``max_pages``.
    """

    telegram_preview_url: str = "https://t.me"
    telegram_api_id: int | None = None
    telegram_api_hash: SecretStr | None = None
    telegram_session: SecretStr | None = None
    twscrape_accounts_db: Path | None = None
    http_timeout_s: float = 20.0
    backfill: int = 20  # posts produced on an account's first poll (no checkpoint yet)
    max_pages: int = 10  # pages read in one poll while catching up with a backlog

    @classmethod
    def from_settings(cls, settings: object) -> SourceSettings:
        """Take the fields of this class that ``settings`` has, as ``name`` or ``ingest_<name>``.

        Reading by name lets the service settings grow the ingest fields one at a time; a field
        they do not have (yet) keeps its default here.
        """
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            for candidate in (name, f"ingest_{name}"):
                value = getattr(settings, candidate, None)
                if value is not None:
                    values[name] = value
                    break
        return cls(**values)


SourceFactory = Callable[[SourceSettings], Source]


@dataclass(frozen=True)
class SourceSpec:
    """A source kind as the registry lists it: what it reads, what it needs, how to build it."""

    name: str
    platform: str
    summary: str
    factory: SourceFactory
    requires: tuple[str, ...] = ()  # modules that must import
    extra: str | None = None  # `pip install 'districtwatch[extra]'`
    credentials: tuple[str, ...] = ()  # SourceSettings fields that must be set
    licence: str = ""
    default: bool = False  # the platform's source when an account names none

    def problem(self, settings: SourceSettings | None = None) -> str | None:
        """Why this source cannot run here (not installed, credentials missing), or None."""
        missing = self.missing_modules()
        if missing:
            hint = f" (pip install 'districtwatch[{self.extra}]')" if self.extra else ""
            return f"not installed: {missing}{hint}"
        if settings is not None:
            unset = [c for c in self.credentials if getattr(settings, c, None) is None]
            if unset:
                names = ", ".join(f"DISTRICTWATCH_{c.upper()}" for c in unset)
                return f"needs credentials: {names}"
        return None

    def missing_modules(self) -> str | None:
        for module in self.requires:
            try:
                with warnings.catch_warnings():
                    # snscrape's module loader uses importlib APIs deprecated in 3.11 (snscrape #782)
                    warnings.simplefilter("ignore", DeprecationWarning)
                    importlib.import_module(module)
            except Exception as exc:  # an optional library can fail to import in many ways
                return f"{module} ({type(exc).__name__}: {exc})"
        return None

    def build(self, settings: SourceSettings) -> Source:
        """The source, or SourceSetupError saying what is missing."""
        problem = self.problem(settings)
        if problem is not None:
            raise SourceSetupError(f"source {self.name}: {problem}")
        return self.factory(settings)


@dataclass(frozen=True)
class SourceInfo:
    """One row of `districtwatch sources`."""

    name: str
    platform: str
    summary: str
    installed: bool
    credentials: tuple[str, ...]
    ready: bool
    problem: str | None
    extra: str | None
    licence: str
    default: bool


def load_specs(*, include_entry_points: bool = True) -> dict[str, SourceSpec]:
    """Every source kind: the built-ins, then entry points (which may not replace a built-in)."""
    specs: dict[str, SourceSpec] = {}
    for module_name in BUILTIN_SOURCES:
        spec = importlib.import_module(module_name).SPEC
        specs[spec.name] = spec
    if include_entry_points:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded: Any = ep.load()
            except Exception as exc:  # a broken plugin must not stop the built-in sources
                log.error("source entry point %s (%s) failed to load: %s", ep.name, ep.value, exc)
                continue
            if not isinstance(loaded, SourceSpec):
                log.error("source entry point %s is a %s, not a SourceSpec", ep.name, type(loaded).__name__)
            elif loaded.name in specs:
                log.error("source entry point %s: a source named %r exists already", ep.name, loaded.name)
            else:
                specs[loaded.name] = loaded
    return specs


def spec_for(account: Account, specs: Mapping[str, SourceSpec]) -> SourceSpec:
    """The account's source: the one it names, else its platform's default."""
    if account.source:
        spec = specs.get(account.source)
        if spec is None:
            raise SourceSetupError(f"{account.platform}/{account.handle}: no source named {account.source!r}")
        return spec
    for spec in specs.values():
        if spec.default and spec.platform == account.platform.lower():
            return spec
    raise SourceSetupError(
        f"{account.platform}/{account.handle}: no source reads platform {account.platform!r}"
    )


def describe(specs: Mapping[str, SourceSpec], settings: SourceSettings) -> list[SourceInfo]:
    """What `districtwatch sources` prints: each source, whether it is installed and ready."""
    rows = []
    for spec in specs.values():
        missing = spec.missing_modules()
        problem = spec.problem(settings)
        rows.append(
            SourceInfo(
                name=spec.name,
                platform=spec.platform,
                summary=spec.summary,
                installed=missing is None,
                credentials=spec.credentials,
                ready=problem is None,
                problem=problem,
                extra=spec.extra,
                licence=spec.licence,
                default=spec.default,
            )
        )
    return rows


def option(account: Account, name: str, default: str) -> str:
    """A per-account source option from the registry's ``options:`` mapping."""
    return account.options.get(name, default)


def int_option(account: Account, name: str, default: int) -> int:
    raw = account.options.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SourceSetupError(
            f"{account.platform}/{account.handle}: option {name} must be a number"
        ) from exc


def mark_edited(post: Post, edited_at: datetime | None) -> Post:
    """The post flagged as edited, where the Post schema has an ``edited_at`` field.

    An edit is produced again with the same id and the new text. Until the schema carries
    ``edited_at`` (proposed), the re-emission itself is the only sign of the edit.
    """
    if edited_at is not None and "edited_at" in Post.model_fields:
        return post.model_copy(update={"edited_at": edited_at})
    return post
