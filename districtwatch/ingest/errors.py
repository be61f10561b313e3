"""Why a poll of one account failed, as data: the poller reads ``retriable`` and ``retry_after``.

::

    DistrictwatchError
    ├── ConfigError
    │   └── SourceSetupError        source not installed, or its credentials missing: the account is
    │                               not polled until the ingester is restarted with them
    └── SourceError                 one poll of one account failed; the poller tries again later
        ├── SourceUnavailable       network error, timeout, 5xx                         (retriable)
        │   └── RateLimited         429 / flood wait; ``retry_after`` seconds if known  (retriable)
        ├── MalformedPage           the platform answered in a shape the parser does not know
        └── AccountUnavailable      no such account, deleted, suspended, or not public

A non-retriable SourceError does not stop the account's poller: the same request is likely to fail
again until someone fixes the page or the registry, so it is retried at the longest backoff.
"""

from __future__ import annotations

from districtwatch.errors import ConfigError, DistrictwatchError


class SourceSetupError(ConfigError):
    """A source that cannot run here: not installed, or missing credentials (the message says which)."""


class SourceError(DistrictwatchError):
    """One poll of one account failed; the message names the account and what went wrong."""


class SourceUnavailable(SourceError):
    """The platform could not be reached or answered with a server error; it may work in a moment."""

    retriable = True


class RateLimited(SourceUnavailable):
    """The platform asked us to slow down; ``retry_after`` is its hint in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MalformedPage(SourceError):
    """The platform's answer is not in the format the source parses (markup or API changed)."""


class AccountUnavailable(SourceError):
    """The account does not exist on the platform, was removed, or does not show its posts publicly."""
