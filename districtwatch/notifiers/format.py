"""What an alert says, built once from an Alert and rendered for Slack (Block Kit) and Telegram (HTML).

:func:`compose` decides the content (headline, place, confidence, map link, cited posts) so both
platforms say the same thing; :func:`slack_message` and :func:`telegram_html` only render it.
Everything here is pure, so escaping and right-to-left handling are tested without a network.

User text (post excerpts, account names) is never interpreted as markup: Slack gets it in
``rich_text`` elements, which Slack shows literally, and mrkdwn strings are escaped (``& < >``);
Telegram gets HTML with ``& < >`` (and quotes in attributes) escaped. Excerpts keep their original
script. Each excerpt is wrapped in a Unicode directional isolate — RLI…PDI when it reads right to
left (Dari, Pashto, Arabic), FSI…PDI when it carries bidi controls of its own — so that its direction
cannot leak into the lines around it, and the punctuation at its edges stays on the right side.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from districtwatch.schemas import Alert

RLI = "\u2067"  # right-to-left isolate
FSI = "\u2068"  # first-strong isolate
PDI = "\u2069"  # pop directional isolate
_ISOLATE_OPENERS = frozenset("\u2066\u2067\u2068")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

#: Sources shown per message; the rest are counted. Keeps a message inside Slack's 50 blocks and
#: Telegram's 4096 characters.
MAX_SOURCES = 5
#: Characters of each excerpt shown; a post is evidence, the link leads to the whole of it.
MAX_EXCERPT = 300
#: Slack's limit for a header block's text.
SLACK_HEADER_MAX = 150
#: Zoom of the OpenStreetMap link: a district and its neighbours.
MAP_ZOOM = 11


@dataclass(frozen=True)
class SourceLine:
    """One cited post as the message shows it; ``excerpt`` is clipped but otherwise as posted."""

    account: str
    platform: str
    url: str | None
    excerpt: str
    created_at: datetime | None

    @property
    def rtl(self) -> bool:
        return is_rtl(self.excerpt)


@dataclass(frozen=True)
class AlertMessage:
    """The content of one notification, the same for every platform."""

    alert_id: str
    change_id: str
    status: str
    headline: str
    place: str
    confidence: float | None
    map_url: str | None
    sources: tuple[SourceLine, ...]
    more_sources: int = 0
    emitted_at: datetime | None = None


@dataclass(frozen=True)
class SlackMessage:
    """chat.postMessage / webhook payload: ``text`` is the notification fallback, ``blocks`` the body."""

    text: str
    blocks: list[dict[str, Any]]


def compose(alert: Alert) -> AlertMessage:
    """The message for ``alert``: headline, place, confidence, map at the centroid, cited posts."""
    sources = tuple(
        SourceLine(
            account=source.account,
            platform=source.platform,
            url=source.url if _is_web_url(source.url) else None,
            excerpt=clip(source.excerpt.strip(), MAX_EXCERPT),
            created_at=source.created_at,
        )
        for source in alert.sources[:MAX_SOURCES]
    )
    return AlertMessage(
        alert_id=alert.alert_id,
        change_id=alert.change_id,
        status=alert.status.value,
        headline=headline(alert),
        place=f"{alert.district}, {alert.province}",
        confidence=alert.confidence,
        map_url=osm_url(alert.lat, alert.lon),
        sources=sources,
        more_sources=max(0, len(alert.sources) - MAX_SOURCES),
        emitted_at=alert.emitted_at,
    )


def notify_test_message(destination: str, now: datetime) -> AlertMessage:
    """What `districtwatch notify-test` sends: says which destination it is, cites nothing."""
    return AlertMessage(
        alert_id=f"notify-test-{now:%Y%m%dT%H%M%S}",
        change_id=f"notify-test-{now:%Y%m%dT%H%M%S}",
        status="test",
        headline=f"districtwatch test message for {destination}",
        place="",
        confidence=None,
        map_url=None,
        sources=(),
        emitted_at=now,
    )


def headline(alert: Alert) -> str:
    """'Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed'."""
    return (
        f"{actor_name(alert.lost_by)} → {actor_name(alert.gained_by)}: "
        f"{alert.district}, {alert.province} — {alert.status.value}"
    )


def actor_name(actor: str | None) -> str:
    """An actor id as people write it: 'taliban' → 'Taliban'; acronyms such as 'NRF' stay as they are."""
    if not actor:
        return "Unknown"
    words = actor.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] if word.islower() else word for word in words)


def osm_url(lat: float | None, lon: float | None) -> str | None:
    """OpenStreetMap centred on the district's centroid with a marker, or None without coordinates."""
    if lat is None or lon is None:
        return None
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map={MAP_ZOOM}/{lat:.5f}/{lon:.5f}"


def is_rtl(text: str) -> bool:
    """True when the first strongly directional character reads right to left (UAX #9, rule P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def isolate(text: str) -> str:
    """``text`` wrapped in a directional isolate where it needs one, its own isolates balanced.

    A stray PDI in a post could close our isolate early, and an unclosed one could swallow the rest
    of the message; both are repaired so the isolate we add always ends where the excerpt ends.
    """
    balanced = _balance_isolates(text)
    if is_rtl(balanced):
        return f"{RLI}{balanced}{PDI}"
    if any(char in _BIDI_CONTROLS for char in balanced):
        return f"{FSI}{balanced}{PDI}"
    return balanced


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in '…' when cut; never strands a combining mark."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "…"


# -- Slack --------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn gives meaning to (its documented rule)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(message: AlertMessage) -> SlackMessage:
    """Block Kit: header, facts, one rich-text block per cited post (literal text), ids in context."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(message.headline, SLACK_HEADER_MAX)}},
    ]
    fields = []
    if message.place:
        fields.append(f"*Place*\n{slack_escape(message.place)}")
    fields.append(f"*Status*\n{slack_escape(message.status)}")
    if message.confidence is not None:
        fields.append(f"*Confidence*\n{_percent(message.confidence)}")
    if message.map_url:
        fields.append(f"*Map*\n<{_slack_url(message.map_url)}|OpenStreetMap>")
    blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]})
    for source in message.sources:
        blocks.append(_slack_source(source))
    notes = [f"alert {message.alert_id}", f"change {message.change_id}"]
    if message.more_sources:
        notes.insert(0, f"+{message.more_sources} more sources")
    blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": " · ".join(notes)}]})
    text = slack_escape(message.headline)
    if message.confidence is not None:
        text += f" (confidence {_percent(message.confidence)})"
    return SlackMessage(text=text, blocks=blocks)


def _slack_source(source: SourceLine) -> dict[str, Any]:
    who: dict[str, Any] = {"type": "text", "text": f"@{source.account}", "style": {"bold": True}}
    if source.url:
        who = {"type": "link", "url": source.url, "text": f"@{source.account}"}
    facts = f" · {source.platform}"
    if source.created_at is not None:
        facts += f" · {source.created_at:%Y-%m-%d %H:%M} UTC"
    elements: list[dict[str, Any]] = [
        {"type": "rich_text_section", "elements": [who, {"type": "text", "text": facts}]},
    ]
    if source.excerpt:
        elements.append(
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": isolate(source.excerpt)}]}
        )
    return {"type": "rich_text", "elements": elements}


def _slack_url(url: str) -> str:
    # '<', '>' and '|' end a mrkdwn link; a URL never needs them raw.
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


# -- Telegram -----------------------------------------------------------------------------------


def telegram_html(message: AlertMessage) -> str:
    """Bot API HTML (parse_mode=HTML): bold headline, facts, linked sources, excerpts in blockquotes."""
    lines = [f"<b>{_html(message.headline)}</b>"]
    facts = []
    if message.place:
        facts.append(_html(message.place))
    if message.confidence is not None:
        facts.append(f"confidence {_percent(message.confidence)}")
    if facts:
        lines.append(" · ".join(facts))
    if message.map_url:
        lines.append(f'<a href="{_attr(message.map_url)}">Map (OpenStreetMap)</a>')
    if message.sources:
        lines.append("")
        lines.append("<b>Sources</b>")
    for source in message.sources:
        who = f"@{_html(source.account)}"
        if source.url:
            who = f'<a href="{_attr(source.url)}">{who}</a>'
        line = f"• {who} · {_html(source.platform)}"
        if source.created_at is not None:
            line += f" · {source.created_at:%Y-%m-%d %H:%M} UTC"
        lines.append(line)
        if source.excerpt:
            lines.append(f"<blockquote>{_html(isolate(source.excerpt))}</blockquote>")
    if message.more_sources:
        lines.append(f"+{message.more_sources} more sources")
    lines.append(f"<i>alert {_html(message.alert_id)}</i>")
    return "\n".join(lines)


def _html(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


# -- shared -------------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _is_web_url(url: str | None) -> bool:
    # Platforms reject other schemes in links (Slack: invalid_blocks), which would dead-letter the alert.
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


def _balance_isolates(text: str) -> str:
    depth = 0
    kept = []
    for char in text:
        if char in _ISOLATE_OPENERS:
            depth += 1
        elif char == PDI:
            if depth == 0:
                continue
            depth -= 1
        kept.append(char)
    return "".join(kept) + PDI * depth
