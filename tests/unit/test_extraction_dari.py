"""Dari posts (Arabic script): compound verbs, markers such as «به دست» and «از», Pashto-keyboard
spellings, lists with «،» and «و», capitals named through «مرکز ولایت» or «شهر», and hedges."""

from __future__ import annotations

import pytest

from districtwatch.core.extraction import Extractor
from tests.unit.extraction_cases import G, R, T, changes

CASES = [
    ("طالبان ولسوالی اشکمش ولایت تخار را تصرف کردند", {("Ishkamish", "Takhar", T, None, False)}),
    ("ولسوالی خان آباد ولایت کندز به دست طالبان سقوط کرد", {("Khanabad", "Kunduz", T, None, False)}),
    ("ولسوالی شیندند هرات به دست طالبان افتاد", {("Shindand", "Herat", T, None, False)}),
    ("ولسوالی شیرین تگاب به تصرف طالبان درآمد", {("Shirin Tagab", "Faryab", T, None, False)}),
    ("طالبان کنترل ولسوالی دولت آباد فاریاب را به دست گرفتند", {("Dawlatabad", "Faryab", T, None, False)}),
    ("طالبان ولسوالی مقر غزنی را تصرف کردند", {("Muqur", "Ghazni", T, None, False)}),
    ("ولسوالی ارغنداب قندهار بدون جنگ به طالبان سپرده شد", {("Arghandab", "Kandahar", T, None, False)}),
    (
        "طالبان پس از یک هفته جنگ، ولسوالی خواجه غار را تصرف کردند",
        {("Khwaja Ghar", "Takhar", T, None, False)},
    ),
    ("ولسوالی کلفگان سقوط کرد", {("Kalfagan", "Takhar", T, None, False)}),
    ("سقوط ولسوالی کلفگان به دست طالبان", {("Kalfagan", "Takhar", T, None, False)}),
    ("ولسوالی کلفگان بدست طالبان افتاد", {("Kalfagan", "Takhar", T, None, False)}),
    # a district named like its province: «ولسوالی» before it decides
    (
        "نیروهای امارت اسلامی ولسوالی خوست ولایت خوست را تصرف کردند",
        {("Khost(Matun)", "Khost", T, None, False)},
    ),
    ("طالبان کنترل ولسوالی امام صاحب را در دست گرفتند", {("Imam Sahib", "Kunduz", T, None, False)}),
    ("ولسوالی امام صاحب تحت کنترل طالبان قرار گرفت", {("Imam Sahib", "Kunduz", T, None, False)}),
    ("ولسوالی امام صاحب دوباره به دست نیروهای امنیتی افتاد", {("Imam Sahib", "Kunduz", G, None, False)}),
    # capitals: «شهر» + province name, «مرکز ولایت» + province name, a capital's own name
    ("طالبان شهر بامیان را بدون جنگ تصرف کردند", {("Bamyan", "Bamyan", T, None, False)}),
    ("شهر میمنه مرکز ولایت فاریاب به کنترل طالبان درآمد", {("Maymana", "Faryab", T, None, False)}),
    ("طالبان مرکز ولایت سرپل را تصرف کردند", {("Sari Pul", "Sar-e Pol", T, None, False)}),
    ("طالبان شهر تالقان مرکز ولایت تخار را تصرف کردند", {("Taluqan", "Takhar", T, None, False)}),
    ("شهر قندوز به دست طالبان افتاد", {("Kunduz", "Kunduz", T, None, False)}),
    # lists, with names that are also common words carried by their neighbours
    (
        "ولسوالی های بنگی، چال و نمک آب ولایت تخار به کنترل طالبان درآمد",
        {
            ("Bangi", "Takhar", T, None, False),
            ("Chal", "Takhar", T, None, False),
            ("Namak Ab", "Takhar", T, None, False),
        },
    ),
    # recapture: subject gained, «از» marks the loser
    (
        "نیروهای مقاومت مردمی ولسوالی تاله و برفک را از طالبان پس گرفتند",
        {("Tala Wa Barfak", "Baghlan", R, T, False)},
    ),
    ("قوای دولتی ولسوالی گذره را از طالبان پس گرفتند", {("Guzara", "Herat", G, T, False)}),
    ("نیروهای امنیتی ولسوالی قیصار را دوباره تصرف کردند", {("Qaysar", "Faryab", G, None, False)}),
    ("نیروهای جبهه مقاومت ملی ولسوالی اندراب را آزاد کردند", {("Andarab", "Baghlan", R, None, False)}),
    ("ولسوالی دهنه غوری آزاد شد", {("Dahana-I-Ghuri", "Baghlan", R, None, False)}),  # undated: the latest era
    ("ولسوالی گرزیوان از کنترل طالبان خارج شد", {("Gurziwan", "Faryab", R, T, False)}),  # undated: latest era
    # loss: the subject lost, its opponent gained
    ("نیروهای دولتی ولسوالی دره صوف پایین را ترک کردند", {("Dara-I-Sufi Payin", "Samangan", T, G, False)}),
    # Arabic yeh/kaf, diacritics and tatweel from other keyboards
    ("طالبان ولسوالي اشكمش ولايت تخار را تَصَرُّف كردند", {("Ishkamish", "Takhar", T, None, False)}),
    ("ولسوالی شیــندند به دست طالبان افتاد", {("Shindand", "Herat", T, None, False)}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_dari_claims(extractor: Extractor, text: str, expected: set[tuple[object, ...]]) -> None:
    """Each Dari phrasing yields exactly the listed district changes with the right actors."""
    assert changes(extractor.extract(text)) == expected


HEDGES = [
    ("گفته می شود ولسوالی جرم بدخشان سقوط کرده است", True),
    ("منابع محلی می گویند ولسوالی المار به دست طالبان افتاده است", True),
    ("گزارش ها حاکی است که ولسوالی کشم به دست طالبان سقوط کرد", True),
    ("طالبان ادعا کردند که ولسوالی گرزیوان را تصرف کرده اند", False),
    ("مقامات محلی می گویند ولسوالی کشم به دست طالبان سقوط کرد", False),
]


@pytest.mark.parametrize(("text", "hedged"), HEDGES, ids=[h[0][:40] for h in HEDGES])
def test_dari_hedges(extractor: Extractor, text: str, hedged: bool) -> None:
    """«گفته می شود», «منابع», «گزارش ها حاکی» hedge; the Taliban's own «ادعا» about a capture does not."""
    claims = [c for c in extractor.extract(text).claims if c.kind == "change"]
    assert claims, extractor.explain(text)
    assert {c.hedged for c in claims} == {hedged}


def test_excerpt_keeps_the_original_letters(extractor: Extractor) -> None:
    """Folding happens in match keys only: the excerpt is the post's own text, Arabic yeh and all."""
    text = "طالبان ولسوالي اشكمش ولايت تخار را تصرف كردند"
    (claim,) = extractor.extract(text).claims
    assert claim.excerpt == text


def test_an_unnamed_liberator_depends_on_the_date_of_the_post(extractor: Extractor) -> None:
    """Before Kabul fell (15 Aug 2021) the Republic's forces retook places; after it, the resistance."""
    from datetime import UTC, datetime

    text = "ولسوالی پلحصار از طالبان پس گرفته شد"
    before = extractor.extract(text, at=datetime(2021, 7, 1, tzinfo=UTC)).claims
    after = extractor.extract(text, at=datetime(2021, 8, 20, tzinfo=UTC)).claims
    assert [(c.district, c.gained_by, c.lost_by) for c in before] == [("Puli Hisar", G, T)]
    assert [(c.district, c.gained_by, c.lost_by) for c in after] == [("Puli Hisar", R, T)]
