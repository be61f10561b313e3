"""Properties over arbitrary input: normalization is idempotent, the extractor never crashes (any unicode,
control characters, huge strings), extraction is deterministic, and the prefilter never drops a post the
extractor would find a claim in."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from districtwatch.core.extraction import Extractor, normalize
from districtwatch.core.extraction.stdio import extract_lines

_EXTRACTOR = Extractor.load()

WORDS = [
    "Taliban",
    "captured",
    "fell",
    "to",
    "the",
    "district",
    "of",
    "Kunduz",
    "Imam",
    "Sahib",
    "Baharak",
    "in",
    "Takhar",
    "retook",
    "from",
    "reportedly",
    "denied",
    "2015",
    "#Nahrin",
    "siege",
    "طالبان",
    "ولسوالی",
    "تصرف",
    "کردند",
    "به",
    "دست",
    "افتاد",
    "از",
    "پس",
    "گرفتند",
    "طالبانو",
    "ونیوله",
    "ولسوالۍ",
    "ژړۍ",
    "؟",
    "?",
    ";",
    ",",
    ".",
    "\n",
    "Kabul",
    "Bank",
    "capital",
    "city",
    "شهر",
    "مرکز",
    "-",
    "'s",
    "RT",
    "@x:",
]
post_like = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)
any_text = st.one_of(
    st.text(), st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6FF)), post_like
)


@given(any_text)
def test_normalize_is_idempotent(text: str) -> None:
    """Normalizing twice changes nothing."""
    once = normalize(text)
    assert normalize(once) == once


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(any_text)
def test_extract_never_crashes_and_is_deterministic(text: str) -> None:
    """Any input gives an Extraction, the same one every time, with explain() agreeing."""
    first = _EXTRACTOR.extract(text)
    assert _EXTRACTOR.extract(text) == first
    assert isinstance(_EXTRACTOR.explain(text), str)


@settings(deadline=None)
@given(post_like)
def test_prefilter_never_drops_a_claim(text: str) -> None:
    """is_relevant is False only for posts with neither claims nor denials."""
    if not _EXTRACTOR.is_relevant(text):
        assert _EXTRACTOR.extract(text).claims == ()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02\u200b\u200c\u200d\ufeff",
        "Taliban captured " + "Kunduz " * 20_000,
        "ولسوالی " * 5_000 + "تصرف کردند",
        "\U0001f600" * 1000 + " Taliban captured Nahrin district",
        "-" * 10_000,
        "'s " * 3000,
    ],
    ids=["empty", "control-chars", "huge-latin", "huge-dari", "emoji", "hyphens", "possessives"],
)
def test_hostile_inputs(text: str) -> None:
    """Empty, control characters and very long posts are handled without error."""
    result = _EXTRACTOR.extract(text)
    assert isinstance(result.claims, tuple)


def test_stdio_gives_one_line_per_input_line() -> None:
    """Bad lines become error records in place, so outputs stay aligned with inputs."""
    lines = [
        "{not json",
        "[1, 2]",
        json.dumps({"id": "p1"}),
        json.dumps({"id": "p2", "text": "Taliban capture Kunduz's Imam Sahib district."}),
        json.dumps({"id": "p3", "text": "Reports that Taliban captured Nili are not true."}),
        json.dumps({"id": "p4", "text": "Taliban capture Muqur district", "home_province": "Ghazni"}),
    ]
    out = [json.loads(line) for line in extract_lines(lines, _EXTRACTOR, explain=True)]
    assert len(out) == len(lines)
    assert out[0]["id"] is None
    assert "error" in out[0]
    assert "error" in out[1]
    assert out[2] == {"id": "p1", "error": "the post has no 'text' string"}
    assert out[3]["claims"] == [
        {
            "district": "Imam Sahib",
            "province": "Kunduz",
            "gained_by": "taliban",
            "lost_by": None,
            "hedged": False,
        }
    ]
    assert "explain" in out[3]
    assert out[4]["claims"] == []
    assert [d["district"] for d in out[4]["denials"]] == ["Nili"]
    assert [c["province"] for c in out[5]["claims"]] == ["Ghazni"]
