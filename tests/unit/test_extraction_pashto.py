"""Pashto posts: ergative subjects («طالبانو»), circumpositions («د … لاس ته», «له … څخه», «د … لخوا»),
Pashto letters (ښ ځ ګ ړ ۍ) kept in excerpts and folded in match keys, and Pashto hedges."""

from __future__ import annotations

import pytest

from districtwatch.core.extraction import Extractor
from tests.unit.extraction_cases import G, R, T, changes

CASES = [
    ("طالبانو د کندهار ولایت ژړۍ ولسوالۍ ونیوله", {("Zhari", "Kandahar", T, None, False)}),
    ("طالبانو د غزني ولایت اندړ ولسوالۍ ونیوله", {("Andar", "Ghazni", T, None, False)}),
    ("د ارزګان ولایت د چوره ولسوالۍ مرکز طالبانو ونیو", {("Chora", "Uruzgan", T, None, False)}),
    ("طالبان د بدخشان د وردوج ولسوالۍ کنټرول ترلاسه کړ", {("Warduj", "Badakhshan", T, None, False)}),
    (
        "د مقاومت ځواکونو د پنجشیر د پریان ولسوالۍ کنټرول په لاس کې واخیست",
        {("Paryan", "Panjshir", R, None, False)},
    ),
    # gainer after the actor: «ته», «لاس ته», «لخوا»
    ("د هلمند ولایت نادعلي ولسوالۍ طالبانو ته وسپارل شوه", {("Nad Ali", "Helmand", T, None, False)}),
    ("کندز ښار د طالبانو لاس ته ولوېد", {("Kunduz", "Kunduz", T, None, False)}),
    ("د سپین بولدک ولسوالۍ د طالبانو لخوا ونیول شوه", {("Spin Boldak", "Kandahar", T, None, False)}),
    # capitals: «د X مرکز»
    ("طالبانو د پکتیکا مرکز شرنه ونیو", {("Sharan", "Paktika", T, None, False)}),
    ("طالبانو د لغمان مرکز مهترلام ونیو", {("Mihtarlam", "Laghman", T, None, False)}),
    # recapture and loss
    ("امنیتي ځواکونو د فراه ولایت بالابلوک ولسوالۍ بېرته ونیوله", {("Bala Buluk", "Farah", G, None, False)}),
    ("د مقاومت ځواکونو د اندراب ولسوالۍ له طالبانو بېرته ونیوله", {("Andarab", "Baghlan", R, T, False)}),
    ("امنیتي ځواکونو د کندهار ولایت ارغنداب ولسوالۍ پرېښوده", {("Arghandab", "Kandahar", T, G, False)}),
    ("د کلفګان ولسوالۍ سقوط وکړ", {("Kalfagan", "Takhar", T, None, False)}),
    # perfect participle, and the Taliban's own claim is not hedged
    ("طالبانو ادعا کړې چې د کلفګان ولسوالۍ یې نیولې ده", {("Kalfagan", "Takhar", T, None, False)}),
    ("طالبانو د امام صاحب ولسوالۍ پر مرکز ولکه ټینګه کړه", {("Imam Sahib", "Kunduz", T, None, False)}),
    # Dari-keyboard spellings of Pashto letters
    ("طالبانو د کندهار ولایت ژری ولسوالی ونیوله", {("Zhari", "Kandahar", T, None, False)}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_pashto_claims(extractor: Extractor, text: str, expected: set[tuple[object, ...]]) -> None:
    """Each Pashto phrasing yields exactly the listed district changes with the right actors."""
    assert changes(extractor.extract(text)) == expected


HEDGES = [
    ("ویل کېږي چې طالبانو د بغلان ولایت دوشي ولسوالۍ ونیوله", True),
    ("داسې راپورونه دي چې د تخار د ورسج ولسوالۍ طالبانو ته ولوېده", True),
    ("محلي سرچینې وايي چې طالبانو د کندهار ولایت ژړۍ ولسوالۍ ونیوله", True),
    ("طالبانو د کندهار ولایت ژړۍ ولسوالۍ ونیوله", False),
]


@pytest.mark.parametrize(("text", "hedged"), HEDGES, ids=[h[0][:40] for h in HEDGES])
def test_pashto_hedges(extractor: Extractor, text: str, hedged: bool) -> None:
    """«ویل کېږي», «راپورونه», «سرچینې» hedge."""
    claims = [c for c in extractor.extract(text).claims if c.kind == "change"]
    assert claims, extractor.explain(text)
    assert {c.hedged for c in claims} == {hedged}


def test_pashto_letters_survive_in_the_excerpt(extractor: Extractor) -> None:
    """ښ ځ ګ ړ ۍ are folded only to match; the excerpt quotes them as written."""
    text = "د مقاومت ځواکونو د پنجشیر د پریان ولسوالۍ کنټرول په لاس کې واخیست"
    (claim,) = extractor.extract(text).claims
    assert claim.excerpt == text
    assert all(letter in claim.excerpt for letter in "ځۍټ")
