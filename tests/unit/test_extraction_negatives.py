"""Posts that must give no claim (sieges, threats, questions, history, look-alike places, other topics,
places that are only where something happened), and denials, which are reported as denials only."""

from __future__ import annotations

import pytest

from districtwatch.core.extraction import Extractor

NO_CLAIM = {
    "ongoing fighting or siege": [
        "Fighting rages around Lashkar Gah as Taliban push into the city.",
        "Heavy clashes ongoing in Arghandab district of Kandahar",
        "Afghan forces repelled a Taliban attack on Lashkar Gah",
        "Yangi Qala district has been under Taliban siege for a week.",
        "درگیری‌ها در ولسوالی انجیل هرات ادامه دارد",
        "طالبان به ولسوالی ارغستان حمله کردند",
        "ولسوالی یکاولنگ در محاصره طالبان قرار دارد",
        "درگیری های سنگین در ولسوالی پشتون زرغون جریان دارد",
        "په کندهار کې جګړې روانې دي",
        "طالبانو د غزني ښار ته نږدې برید وکړ",
        "Government forces remain in control of Nahrin district despite Taliban attacks",
        "Operation underway to retake Nahrin district",
    ],
    "threats, plans and predictions": [
        "Taliban vow to take Herat within days.",
        "Is Sangin about to fall?",
        "Taliban say they will capture Kandahar soon",
        "Will Ghazni fall to the Taliban this week?",
        "Taliban are advancing on Ghazni city",
        "Taliban launched an offensive to capture Kandahar city",
        "Fighting rages as Taliban try to take Herat city",
        "طالبان تهدید کرده اند که شهر هرات را تصرف خواهند کرد",
        "طالبانو ګواښ کړی چې کندهار به ونیسي",
        "طالبانو د کلفګان ولسوالۍ د نیولو لپاره برید پیل کړ",
    ],
    "history and anniversaries": [
        "Kunduz briefly fell to the Taliban in 2015 and again in 2016.",
        "Remembering the fall of Kabul in 1996",
        "On this day in 2021, Kabul fell to the Taliban",
        "Kunduz fell to the Taliban in September 2015",
        "Taliban captured Kabul in 1996 and ruled until 2001",
        "The Taliban took Kabul 20 years ago",
        "سالروز سقوط کابل به دست طالبان",
        "طالبان در سال ۱۳۷۵ کابل را تصرف کردند",
    ],
    "facilities and areas named after a place": [
        "Kabul Bank posts quarterly results.",
        "Heavy snow closes the Salang pass.",
        "Taliban captured the Kajaki dam",
        "Taliban took control of the Salang highway",
        "Kandahar airport was hit by rockets overnight",
        "Taliban free prisoners from Kandahar jail",
        "US forces left Bagram airfield overnight",
        "ANDSF retook Dand-e-Ghori area",
        "د کابل بانک ونیول شو",
        "طالبانو د کجکي بند ونیو",
    ],
    "a place that is only where something happened": [
        "Police captured three drug smugglers in Jalalabad.",
        "Taliban captured three soldiers in Kunduz",
        "Taliban took 5 hostages from Kunduz",
        "Taliban took the Kunduz governor hostage",
        "Afghan forces freed 20 hostages from a Taliban prison in Ghazni",
        "Taliban lost 30 fighters in Shindand clashes",
        "Thousands fled Kunduz as the Taliban advanced",
        "The Taliban have seized control of all districts of Panjshir except Rokha",
    ],
    "a change told as background": [
        "Two years after the Taliban took Kabul, women remain banned from schools",
        "Since the fall of Kunduz, prices have doubled",
    ],
    "idioms and other senses of the verbs": [
        "Kabul fell silent as the curfew began",
        "Afghan rupee fell against the dollar in Kabul markets",
        "Kabul's temperature fell to minus 10 overnight",
        "Prices fell across Herat province",
        "Kandahar lost its favourite son, the poet",
        "Herat took first place in the national spelling bee",
        "Kandahar took the lead in the provincial games",
        "Kunduz governor took office on Monday",
        "Taliban took over as the government of Afghanistan",
        "Taliban took Kunduz elders hostage",
        "Herat: Taliban took part in talks with elders",
        "Fighting for control of Imam Sahib district continues",
        "Is it true that Taliban captured Darzab?",
    ],
    "other topics": [
        "Afghanistan cricket team beats Bangladesh.",
        "Herat won the cricket match against Kandahar",
        "Kabul Eagles lost to Band-e-Amir Dragons by 5 wickets",
        "Floods hit Khost province, killing 12",
        "Pakistan's Punjab province was hit by floods",
        "Kabul: prices fell sharply at the market today",
        "It took three hours to drive from Kabul to Charikar",
        "Kandahar, Herat and Kabul are Afghanistan's largest cities",
        "Taliban take part in Doha talks",
        "Taliban took responsibility for the Kabul attack",
        "Herat police seized 10 kg of heroin",
        "زلزله در ولایت هرات خسارات زیادی وارد کرد",
    ],
}
FLAT = [(group, text) for group, texts in NO_CLAIM.items() for text in texts]


@pytest.mark.parametrize(("group", "text"), FLAT, ids=[f"{g}: {t[:40]}" for g, t in FLAT])
def test_no_claim(extractor: Extractor, group: str, text: str) -> None:
    """Nothing changed hands in these posts, so no change claim comes out of them."""
    claims = [c for c in extractor.extract(text).claims if c.kind == "change"]
    assert claims == [], f"{group}\n{extractor.explain(text)}"


DENIALS = [
    (
        "The Interior Ministry denied that Ghoryan district had fallen, saying forces were still in control.",
        "Ghoryan",
    ),
    ("Reports that Taliban captured Nili are not true, Daykundi police say.", "Nili"),
    ("Rumours that Nahrin fell are false.", "Nahrin"),
    ("MoD: reports of the fall of Jaghori district are baseless", "Jaghuri"),
    ("Officials rejected claims that Jawand had fallen to the Taliban", "Jawand"),
    ("Taliban have not captured Jalrez district, officials said", "Jalrez"),
    ("وزارت دفاع سقوط ولسوالی دایمیرداد را رد کرد", "Day Mirdad"),
    ("شایعات مبنی بر سقوط ولسوالی کشم بی اساس است", "Kishim"),
    ("ولسوالی کشم هنوز سقوط نکرده است", "Kishim"),
    ("د دفاع وزارت د ژړۍ ولسوالۍ د سقوط خبر رد کړ", "Zhari"),
]


@pytest.mark.parametrize(("text", "district"), DENIALS, ids=[d[0][:50] for d in DENIALS])
def test_denials_are_denials_not_claims(extractor: Extractor, text: str, district: str) -> None:
    """A denied or negated change becomes a denial of that district and never a change claim."""
    claims = extractor.extract(text).claims
    assert [c.district for c in claims if c.kind == "denial"] == [district], extractor.explain(text)
    assert [c for c in claims if c.kind == "change"] == []


def test_prefilter_is_false_for_plain_news_and_true_for_a_claim(extractor: Extractor) -> None:
    """is_relevant drops posts without a verb of change or without a place, and keeps claims."""
    assert not extractor.is_relevant("Heavy snow closes the Salang pass.")
    assert not extractor.is_relevant("Stock markets in Germany fell sharply on Tuesday.")
    assert extractor.is_relevant("Taliban capture Kunduz's Imam Sahib district after days of fighting.")
