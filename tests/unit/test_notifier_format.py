"""What a notification says, and that user text reaches Slack and Telegram literally, RTL intact."""

from __future__ import annotations

import html
import re
import warnings
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block

from districtwatch.notifiers.format import (
    FSI,
    MAX_EXCERPT,
    MAX_SOURCES,
    PDI,
    RLI,
    actor_name,
    clip,
    compose,
    isolate,
    notify_test_message,
    osm_url,
    slack_escape,
    slack_message,
    telegram_html,
)
from districtwatch.schemas import AlertStatus

from .notifier_alerts import DARI, make_alert, make_source

HOSTILE = 'Tom & Jerry <script>alert("x")</script> > 1'


def test_headline_names_the_actors_place_and_status() -> None:
    message = compose(make_alert())
    assert message.headline == "Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed"
    assert compose(make_alert(status=AlertStatus.REPORTED, lost_by=None)).headline == (
        "Unknown → Resistance: Pul-e-Hesar, Baghlan — reported"
    )


@pytest.mark.parametrize(
    ("actor", "shown"),
    [("taliban", "Taliban"), ("NRF", "NRF"), ("resistance_front", "Resistance Front"), (None, "Unknown")],
)
def test_actor_names_are_title_cased_but_acronyms_kept(actor: str | None, shown: str) -> None:
    assert actor_name(actor) == shown


def test_map_link_is_openstreetmap_at_the_centroid_with_a_marker() -> None:
    assert compose(make_alert(lat=35.6, lon=69.3)).map_url == (
        "https://www.openstreetmap.org/?mlat=35.60000&mlon=69.30000#map=11/35.60000/69.30000"
    )
    assert osm_url(None, 69.3) is None
    assert compose(make_alert(lat=None, lon=None)).map_url is None


def test_dari_excerpt_keeps_its_script_inside_a_right_to_left_isolate() -> None:
    assert isolate(DARI) == f"{RLI}{DARI}{PDI}"
    assert isolate("Puli Hisar taken") == "Puli Hisar taken"
    # Latin first, so the paragraph is left to right, but it carries its own override: contained
    assert isolate("see \u202eevil") == f"{FSI}see \u202eevil{PDI}"


def test_stray_isolate_controls_in_a_post_cannot_escape_the_excerpt() -> None:
    # a PDI of the post's own would close our isolate early; an unclosed one would swallow the rest
    assert isolate(f"{DARI}{PDI} tail") == f"{RLI}{DARI} tail{PDI}"
    assert isolate(f"{RLI}{DARI}") == f"{RLI}{RLI}{DARI}{PDI}{PDI}"


def test_telegram_html_escapes_user_text_and_keeps_rtl_code_points() -> None:
    alert = make_alert(
        sources=[
            make_source("Tom&Jerry", HOSTILE, url='https://example.org/a?b=1&c="2"'),
            make_source("PanjshirProvin1", DARI),
        ]
    )
    text = telegram_html(compose(alert))
    assert 'Tom &amp; Jerry &lt;script&gt;alert("x")&lt;/script&gt; &gt; 1' in text
    assert "@Tom&amp;Jerry" in text
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' in text
    assert f"<blockquote>{RLI}{DARI}{PDI}</blockquote>" in text
    assert "<b>Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed</b>" in text
    assert "confidence 85%" in text
    assert '<a href="https://www.openstreetmap.org/?mlat=35.60000&amp;mlon=69.30000#map=11/' in text
    # every tag left is one we wrote: user text cannot open or close markup
    assert set(re.findall(r"</?([a-z]+)", text)) <= {"b", "a", "i", "blockquote"}
    assert html.unescape(text).count(DARI) == 1


def test_slack_blocks_are_valid_block_kit_and_carry_excerpts_literally() -> None:
    alert = make_alert(sources=[make_source("AsvakaNews", HOSTILE), make_source("PanjshirProvin1", DARI)])
    message = slack_message(compose(alert))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the SDK warns about unknown keys
        for block in message.blocks:
            parsed = Block.parse(block)
            assert parsed is not None
            parsed.validate_json()
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Taliban → Resistance: Pul-e-Hesar, Baghlan — confirmed"},
    }
    quotes = [
        element["elements"][0]["text"]
        for block in message.blocks
        if block["type"] == "rich_text"
        for element in block["elements"]
        if element["type"] == "rich_text_quote"
    ]
    # rich_text text is shown as given: no entity escaping, no mrkdwn; RTL isolated
    assert quotes == [HOSTILE, f"{RLI}{DARI}{PDI}"]
    links = [
        element["elements"][0]
        for block in message.blocks
        if block["type"] == "rich_text"
        for element in block["elements"]
        if element["type"] == "rich_text_section"
    ]
    assert links[0] == {
        "type": "link",
        "url": "https://twitter.com/AsvakaNews/status/1",
        "text": "@AsvakaNews",
    }
    fields = " ".join(f["text"] for f in message.blocks[1]["fields"])
    assert (
        "<https://www.openstreetmap.org/?mlat=35.60000&mlon=69.30000#map=11/35.60000/69.30000|OpenStreetMap>"
        in fields
    )
    assert "*Confidence*\n85%" in fields


def test_slack_mrkdwn_strings_escape_the_three_control_characters() -> None:
    assert slack_escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    message = slack_message(compose(make_alert(district="A<B&C", province="P>Q")))
    assert message.text.startswith("Taliban → Resistance: A&lt;B&amp;C, P&gt;Q — confirmed")
    assert "*Place*\nA&lt;B&amp;C, P&gt;Q" in [f["text"] for f in message.blocks[1]["fields"]]


def test_long_posts_are_clipped_and_extra_sources_counted() -> None:
    many = [make_source(f"acct{i}", "x" * 1000) for i in range(MAX_SOURCES + 3)]
    message = compose(make_alert(sources=many))
    assert len(message.sources) == MAX_SOURCES
    assert message.more_sources == 3
    assert all(len(s.excerpt) == MAX_EXCERPT and s.excerpt.endswith("…") for s in message.sources)
    assert len(telegram_html(message)) < 4096  # Telegram's message limit
    assert len(slack_message(message).blocks) <= 50  # Slack's block limit
    assert "+3 more sources" in telegram_html(message)


def test_clip_never_strands_a_combining_mark() -> None:
    text = "abcde\u0301f"  # e + combining acute
    assert clip(text, 6) == "abcd…"
    assert clip("short", 10) == "short"


def test_links_that_are_not_web_urls_are_dropped() -> None:
    message = compose(make_alert(sources=[make_source(url="javascript:alert(1)")]))
    assert message.sources[0].url is None
    assert "javascript" not in telegram_html(message)


def test_the_test_message_names_its_destination_and_cites_nothing() -> None:
    message = notify_test_message("alerts", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert message.alert_id == "notify-test-20240102T030405"
    assert "for alerts" in telegram_html(message)
    for block in slack_message(message).blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
