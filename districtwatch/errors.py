"""One exception tree for districtwatch.

::

    DistrictwatchError                 retriable = False unless said otherwise
    ├── ConfigError                    settings, gazetteer or keyword pack unusable
    │   └── SourceSetupError           an ingest source is not installed or lacks credentials
    ├── RecordError                    a record that cannot be processed: goes to a dead-letter topic
    │   └── DecodeError                bytes that are not a valid record of the topic's schema
    ├── SourceError                    an ingest source failed to fetch (ingest/errors.py)
    │   ├── SourceUnavailable          network or 5xx                                  (retriable)
    │   ├── RateLimited                429, with the wait the platform asked for       (retriable)
    │   ├── MalformedPage              the platform answered something we cannot parse
    │   └── AccountUnavailable         no such account, or no public preview
    └── BrokerError                    the embedded broker did not start or stopped    (retriable)

Whether to retry is an attribute of the class, never a guess at the call site.
"""

from __future__ import annotations


class DistrictwatchError(Exception):
    """Base of every error the service raises on purpose."""

    retriable: bool = False


class ConfigError(DistrictwatchError):
    """Configuration that cannot work; the message names the setting or file at fault."""


class RecordError(DistrictwatchError):
    """A record that cannot be processed; its reason is kept with it in the dead-letter topic."""


class DecodeError(RecordError):
    """Bytes that are not a valid record of the expected schema."""


class BrokerError(DistrictwatchError):
    """The embedded broker could not be started or reached."""

    retriable = True
