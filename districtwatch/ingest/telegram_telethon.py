"""Telegram channels through the MTProto API with Telethon; needs API credentials; optional.

For channels whose web preview is switched off, or when the preview's markup changes under
snscrape. It needs ``telegram_api_id`` and ``telegram_api_hash`` (from my.telegram.org) and a
logged-in user session as a Telethon ``StringSession`` string in ``telegram_session`` (bots cannot
read channels they do not administer). Name it per account with ``source: telegram-telethon``.

Ids match the preview source (``telegram:<channel>/<message id>``), so an account can move from one
to the other and keep its checkpoint. Edits carry their ``edit_date``. Forwards name the original as
``telegram:<channel>/<id>`` when Telegram sent the channel's username, ``telegram:c<channel id>/<id>``
otherwise, and ``telegram:hidden/<name>`` when the original author hid the link.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from typing import Any

from districtwatch.core.accounts import Account
from districtwatch.ingest.base import Checkpoint, FetchResult, Item, SourceSettings, SourceSpec, int_option
from districtwatch.ingest.errors import (
    AccountUnavailable,
    RateLimited,
    SourceError,
    SourceSetupError,
    SourceUnavailable,
)
from districtwatch.ingest.window import reconcile
from districtwatch.schemas import Post

PLATFORM = "telegram"
PAGE_SIZE = 50


class TelethonSource:
    """A Source over one Telethon client, connected on first use and shared by every account."""

    def __init__(self, settings: SourceSettings) -> None:
        if (
            settings.telegram_api_id is None
            or settings.telegram_api_hash is None
            or settings.telegram_session is None
        ):
            raise SourceSetupError(
                "telegram-telethon: needs DISTRICTWATCH_TELEGRAM_API_ID, DISTRICTWATCH_TELEGRAM_API_HASH "
                "and DISTRICTWATCH_TELEGRAM_SESSION (a Telethon StringSession of a logged-in user)"
            )
        from telethon import TelegramClient
        from telethon.sessions import StringSession

        self.settings = settings
        self.client = TelegramClient(
            StringSession(settings.telegram_session.get_secret_value()),
            settings.telegram_api_id,
            settings.telegram_api_hash.get_secret_value(),
            timeout=int(settings.http_timeout_s),
        )
        self._connect_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.client.disconnect()

    async def _connected(self) -> None:
        async with self._connect_lock:
            if not self.client.is_connected():
                await self.client.connect()
            if not await self.client.is_user_authorized():
                raise SourceSetupError(
                    "telegram-telethon: the session in DISTRICTWATCH_TELEGRAM_SESSION is not logged in"
                )

    async def fetch(self, account: Account, since: Checkpoint | None) -> FetchResult:
        from telethon import errors

        channel = account.handle.removeprefix("@")
        where = f"telegram/{channel}"
        limit = int_option(account, "page_size", PAGE_SIZE)
        try:
            await self._connected()
            newest = await self.client.get_messages(channel, limit=limit)
            items = _items(newest, channel)
            covered = min((i.seq for i in items), default=None)
            more = False
            if (
                since is not None
                and covered is not None
                and covered > since.last_seq
                and len(newest) >= limit
            ):
                cap = limit * int_option(account, "max_pages", self.settings.max_pages)
                walked = _items(
                    [
                        m
                        async for m in self.client.iter_messages(
                            channel, min_id=since.last_seq, reverse=True, limit=cap
                        )
                    ],
                    channel,
                )
                if len(walked) >= cap and max(i.seq for i in walked) < covered:
                    items, covered, more = walked, None, True
                else:
                    items = walked + items
        except errors.FloodWaitError as exc:
            raise RateLimited(f"{where}: flood wait", float(exc.seconds)) from exc
        except (
            errors.UsernameNotOccupiedError,
            errors.UsernameInvalidError,
            errors.ChannelPrivateError,
        ) as exc:
            raise AccountUnavailable(f"{where}: {exc}") from exc
        except errors.RPCError as exc:
            raise SourceError(f"{where}: {exc}") from exc
        except ValueError as exc:  # get_entity: 'No user has "x" as username'
            raise AccountUnavailable(f"{where}: {exc}") from exc
        except (ConnectionError, OSError, TimeoutError) as exc:
            raise SourceUnavailable(f"{where}: {exc}") from exc
        backfill = int_option(account, "backfill", self.settings.backfill)
        return reconcile(items, since, backfill=backfill, covered=covered, more=more)


def _items(messages: Any, channel: str) -> list[Item]:
    from telethon.tl.types import Message

    # service messages (pinned, title changed) are not posts
    return [message_item(m, channel) for m in messages if isinstance(m, Message)]


def message_item(message: Any, channel: str) -> Item:
    """One Telethon ``Message`` as an Item."""
    text = message.message or ""
    repost_of, author = forward_of(message)
    post = Post(
        id=f"telegram:{channel.lower()}/{message.id}",
        platform=PLATFORM,
        account=channel,
        created_at=_utc(message.date),
        text=text,
        url=f"https://t.me/{channel}/{message.id}",
        lang=None,
        repost_of=repost_of,
        repost_of_account=author,
    )
    edited_at = _utc(message.edit_date) if message.edit_date and not message.edit_hide else None
    version = hashlib.sha256(f"{text}\0{repost_of}".encode()).hexdigest()[:16]
    return Item(int(message.id), post, version, edited_at=edited_at)


def forward_of(message: Any) -> tuple[str | None, str | None]:
    """(id of the forwarded original, its author) of a forwarded message; (None, None) otherwise."""
    header = message.fwd_from
    if header is None:
        return None, None
    from telethon.tl.types import PeerChannel, PeerUser

    forward = getattr(message, "forward", None)  # set when the client resolved the original chat
    chat = getattr(forward, "chat", None) if forward is not None else None
    username = getattr(chat, "username", None)
    if isinstance(header.from_id, PeerChannel):
        where = username.lower() if username else f"c{header.from_id.channel_id}"
        origin = f"telegram:{where}/{header.channel_post}" if header.channel_post else f"telegram:{where}"
        return origin, username or where
    if isinstance(header.from_id, PeerUser):
        return f"telegram:u{header.from_id.user_id}", username or f"u{header.from_id.user_id}"
    name = header.from_name or "unknown"
    return f"telegram:hidden/{name}", name


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


SPEC = SourceSpec(
    name="telegram-telethon",
    platform=PLATFORM,
    summary="channels over Telegram's API (Telethon); needs API id/hash and a logged-in session",
    factory=TelethonSource,
    requires=("telethon",),
    extra="telethon",
    credentials=("telegram_api_id", "telegram_api_hash", "telegram_session"),
    licence="MIT (Telethon, optional extra)",
)
