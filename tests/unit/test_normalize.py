"""Match keys: case, hyphens, apostrophes, ZWNJ, tatweel, diacritics, Arabic letters and digits folded;
Pashto letters kept in the text; consonant skeletons that let Latin and Arabic spellings meet."""

from __future__ import annotations

import pytest

from districtwatch.core.extraction.normalize import Normalizer, is_arabic_script, normalize, skeleton


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pul-i-Hisar", "pul i hisar"),
        ("#Nahrin", "nahrin"),
        ("KUNDUZ's Imam Sahib", "kunduz imam sahib"),
        ("Ma'ruf", "maruf"),
        ("Mazār-i-Sharīf", "mazar i sharif"),
        ("پل‌حصار", "پل حصار"),
        ("ولسوالي", "ولسوالی"),
        ("كابل", "کابل"),
        ("شیــندند", "شیندند"),
        ("کَابُل", "کابل"),
        ("سال ۱۳۷۵ و ١٣٧٥", "سال 1375 و 1375"),
        ("ﻛﺎﺑﻞ", "کابل"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    """Each spelling folds to the listed key."""
    assert normalize(text) == expected


def test_pashto_letters_are_kept_without_pack_folds() -> None:
    """Without a pack, Pashto letters stay distinct: only the pack decides to fold them for matching."""
    assert normalize("ښځګړۍ") == "ښځګړۍ"


def test_pack_folds_apply_to_keys_only() -> None:
    """A normalizer with folds matches Pashto and Dari-keyboard spellings, while token offsets still point
    at the original text."""
    normalizer = Normalizer({"ۍ": "ی", "ړ": "ر"})
    (pashto,) = normalizer.tokenize("ژړۍ")
    (dari,) = normalizer.tokenize("ژری")
    assert pashto.key == dari.key == "ژری"
    assert (pashto.start, pashto.end) == (0, 3)


def test_possessive_marks_the_token() -> None:
    """ "Kunduz's" is the word Kunduz, flagged as possessive (a qualifier of what follows)."""
    token, _ = Normalizer().tokenize("Kunduz's Imam")
    assert (token.key, token.possessive) == ("kunduz", True)


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["پل‌حصار", "Pul-i-Hisar", "Puli Hisar", "Pol-e-Hesar"], "plhsr"),
        (["Maymana", "Maimana", "میمنه"], "mn"),
        (["Jabal-us-Saraj", "Jabalussaraj", "Jabal Saraj", "جبل السراج"], "jblsrj"),
        (["Shindand", "شیندند"], "Sndnd"),
        (["Ghoryan", "Ghorian", "غوریان"], "Grn"),
        (["Zhari", "ژړی"], "Jr"),
    ],
)
def test_skeletons_meet_across_scripts(spellings: list[str], expected: str) -> None:
    """Latin and Arabic-script spellings of one name share a consonant skeleton."""
    normalizer = Normalizer({"ړ": "ر"})
    assert {skeleton(normalizer.phrase_key(s)) for s in spellings} == {expected}


def test_arabic_script_detection() -> None:
    """Dari, Pashto and presentation forms count as Arabic script; Latin does not."""
    assert is_arabic_script("کابل")
    assert is_arabic_script("ښار")
    assert not is_arabic_script("Kabul")
