"""English posts: capture, fall, recapture, loss and expulsion, in active and passive voice, with lists,
hashtags, capitals and towns standing for their district, and the hedge policy."""

from __future__ import annotations

import pytest

from districtwatch.core.extraction import Extractor
from tests.unit.extraction_cases import G, R, T, changes

CASES = [
    # active capture, subject gained
    (
        "Taliban fighters have captured the Shindand district of Herat province.",
        {("Shindand", "Herat", T, None, False)},
    ),
    ("Taliban seize Maidan Shahr.", {("Maydan Shahr", "Wardak", T, None, False)}),
    ("The Taliban took Zaranj without a fight.", {("Zaranj", "Nimruz", T, None, False)}),
    ("Taliban overran Nawa district in Ghazni", {("Nawa", "Ghazni", T, None, False)}),
    ("#Taliban took over #Khost city this morning", {("Khost(Matun)", "Khost", T, None, False)}),
    ("taliban captured kunduz", {("Kunduz", "Kunduz", T, None, False)}),
    ("The Taliban's capture of Kunduz city shocked many", {("Kunduz", "Kunduz", T, None, False)}),
    ("Zabihullah Mujahid: Mujahideen have conquered Khost city", {("Khost(Matun)", "Khost", T, None, False)}),
    # lists
    (
        "Taliban captured Chahar Dara and Ali Abad districts of Kunduz",
        {("Chahar Dara", "Kunduz", T, None, False), ("Aliabad", "Kunduz", T, None, False)},
    ),
    (
        "Bangi and Chal districts fall to Taliban",
        {("Bangi", "Takhar", T, None, False), ("Chal", "Takhar", T, None, False)},
    ),
    (
        "Taliban now control Jurm, Yamgan and Kuran wa Munjan districts in Badakhshan",
        {
            ("Jurm", "Badakhshan", T, None, False),
            ("Yamgan (Girwan)", "Badakhshan", T, None, False),
            ("Kuran Wa Munjan", "Badakhshan", T, None, False),
        },
    ),
    (
        "Taliban seize Kunduz, Sar-e Pul and Taloqan",
        {
            ("Kunduz", "Kunduz", T, None, False),
            ("Sari Pul", "Sar-e Pol", T, None, False),
            ("Taluqan", "Takhar", T, None, False),
        },
    ),
    (
        "The Taliban have taken over the district centres of Wardooj and Yamgan in Badakhshan",
        {("Warduj", "Badakhshan", T, None, False), ("Yamgan (Girwan)", "Badakhshan", T, None, False)},
    ),
    # a province named before, as a header or a locative, only qualifies
    ("Kunduz: Taliban capture Imam Sahib", {("Imam Sahib", "Kunduz", T, None, False)}),
    ("In Helmand, Taliban captured Nad Ali", {("Nad Ali", "Helmand", T, None, False)}),
    ("Herat's Injil district fell to the Taliban", {("Injil", "Herat", T, None, False)}),
    # only the place the verb is about: not the city that was "shocked"
    ("The fall of Ghazni to the Taliban on Thursday shocked Kabul", {("Ghazni", "Ghazni", T, None, False)}),
    # a relative clause between the name and its verb
    (
        "Nahrin district, which had been under siege for weeks, fell to the Taliban",
        {("Nahrin", "Baghlan", T, None, False)},
    ),
    ("Kabul has fallen.", {("Kabul", "Kabul", T, None, False)}),
    ("Taliban took Sar-e Pul city", {("Sari Pul", "Sar-e Pol", T, None, False)}),
    ("Taliban capture key border town of Spin Boldak", {("Spin Boldak", "Kandahar", T, None, False)}),
    (
        "Government forces handed over Nirkh district to the Taliban without a fight",
        {("Nirkh", "Wardak", T, G, False)},
    ),
    ("Taliban claim control of Kunduz's Imam Sahib district", {("Imam Sahib", "Kunduz", T, None, False)}),
    ("Khan Abad district is now under the control of the Taliban", {("Khanabad", "Kunduz", T, None, False)}),
    ("Chal district was lost to the Taliban", {("Chal", "Takhar", T, None, False)}),
    ("Afghan forces have lost Darzab district", {("Darzab", "Jowzjan", T, G, False)}),
    ("Darzab district has been recaptured by Afghan forces", {("Darzab", "Jowzjan", G, None, False)}),
    ("The Taliban said on Sunday they had captured Darzab district", {("Darzab", "Jowzjan", T, None, False)}),
    (
        "Taliban capture third provincial capital in three days: Sheberghan",
        {("Shibirghan", "Jowzjan", T, None, False)},
    ),
    (
        "Taliban captured Sheberghan, the capital of northern Jowzjan province",
        {("Shibirghan", "Jowzjan", T, None, False)},
    ),
    (
        "Darzab fell. Qush Tepa fell. Now Sheberghan is under siege.",
        {("Darzab", "Jowzjan", T, None, False), ("Qush Tepa", "Jowzjan", T, None, False)},
    ),
    ("ANA soldiers surrendered Darzab district centre to Taliban", {("Darzab", "Jowzjan", T, G, False)}),
    # "after the fall of X" tells the fall as news (issue 16): both changed hands
    (
        "Taliban captured Imam Sahib, days after the fall of Kunduz city",
        {("Imam Sahib", "Kunduz", T, None, False), ("Kunduz", "Kunduz", T, None, False)},
    ),
    ("The Taliban took Kabul by surprise with their speed", {("Kabul", "Kabul", T, None, False)}),
    # fall / passive, gainer after "to" or "by"
    ("Kunduz city has fallen to the Taliban, residents say.", {("Kunduz", "Kunduz", T, None, False)}),
    (
        "BREAKING: Sheberghan, capital of Jowzjan, falls to Taliban",
        {("Shibirghan", "Jowzjan", T, None, False)},
    ),
    (
        "Pul-i-Khumri, capital of Baghlan, fell to the Taliban on Sunday.",
        {("Puli Khumri", "Baghlan", T, None, False)},
    ),
    ("Lashkar Gah fell to the Taliban after weeks of fighting", {("Lashkar Gah", "Helmand", T, None, False)}),
    ("Kunduz is now under Taliban control", {("Kunduz", "Kunduz", T, None, False)}),
    (
        "Kamdesh district of Nuristan surrendered to the Taliban without a fight",
        {("Kamdesh", "Nuristan", T, None, False)},
    ),
    (
        "Balkhab district retaken by Taliban after short-lived uprising",
        {("Balkhab", "Sar-e Pol", T, None, False)},
    ),
    # capitals and towns
    (
        "Taliban fighters captured Tarinkot, the capital of Uruzgan province.",
        {("Tirin Kot", "Uruzgan", T, None, False)},
    ),
    (
        "The Taliban captured Helmand's provincial capital, Lashkar Gah.",
        {("Lashkar Gah", "Helmand", T, None, False)},
    ),
    ("Taliban take control of Herat city after governor surrenders", {("Hirat", "Herat", T, None, False)}),
    (
        "#BREAKING Taliban have captured #Taloqan, the capital of #Takhar",
        {("Taluqan", "Takhar", T, None, False)},
    ),
    ("Taliban seized the Islam Qala border crossing with Iran", {("Kohsan", "Herat", T, None, False)}),
    ("Taliban captured Torkham border crossing", {("Muhmand Dara", "Nangarhar", T, None, False)}),
    # spelling variants met by exact variant or consonant skeleton
    (
        "Taliban fighters seized Dasht-e-Archi district on Tuesday",
        {("Dashte Archi", "Kunduz", T, None, False)},
    ),
    (
        "Andarab uprising forces retook Pul-e-Hesar and Deh Salah districts",
        {("Puli Hisar", "Baghlan", R, None, False), ("Dih Salah", "Baghlan", R, None, False)},
    ),
    # recapture, with the loser after "from"
    ("Afghan commandos retake Spin Boldak from the Taliban", {("Spin Boldak", "Kandahar", G, T, False)}),
    ("NRF fighters recaptured Deh Salah district from the Taliban", {("Dih Salah", "Baghlan", R, T, False)}),
    (
        "Afghan security forces have recaptured Kamdesh district in Nuristan.",
        {("Kamdesh", "Nuristan", G, None, False)},
    ),
    (
        "Resistance forces liberated Khinj district of Panjshir",
        {("Khenj (Hese-Awal)", "Panjshir", R, None, False)},
    ),
    # loss: the subject lost, the opponent or the state verb's actor gained
    (
        "Government forces lost control of Yamgan district to the Taliban",
        {("Yamgan (Girwan)", "Badakhshan", T, G, False)},
    ),
    (
        "Government forces withdrew from Arghistan district on Tuesday",
        {("Arghistan", "Kandahar", T, G, False)},
    ),
    (
        "Govt troops abandoned Ghormach district; Taliban now in control.",
        {("Ghormach", "Badghis", T, G, False)},
    ),
    (
        "The ANA withdrew from Chahar Bolak district, handing it to the Taliban",
        {("Chahar Bolak", "Balkh", T, G, False)},
    ),
    # expulsion: the object lost
    (
        "The Taliban have been pushed out of Sangcharak district by local uprising forces",
        {("Sangcharak", "Sar-e Pol", R, T, False)},
    ),
    # state verbs and flags
    (
        "Taliban hoisted their flag over Pul-e-Alam after government forces retreated",
        {("Puli Alam", "Logar", T, None, False)},
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_english_claims(extractor: Extractor, text: str, expected: set[tuple[object, ...]]) -> None:
    """Each English phrasing yields exactly the listed district changes with the right actors."""
    assert changes(extractor.extract(text)) == expected


HEDGES = [
    ("Local sources say Taliban have captured Khan Abad district", True),
    ("Taliban reportedly took control of Qala-i-Naw.", True),
    ("Sources: Darzab district has fallen to the Taliban", True),
    ("UNCONFIRMED: Taliban now in control of Ghazni city", True),
    ("Unverified reports say Jurm district in Badakhshan has fallen to the Taliban.", True),
    ("Taliban claim to have captured Ghormach district", False),
    ("Taliban say they have captured Dand district of Kandahar", False),
    ("Afghan forces have retaken Arghandab district, Kandahar officials say", False),
    ("Resistance forces claim the Taliban lost Khinj district", True),
    ("Reports: Taliban overrun Darzab", True),
]


@pytest.mark.parametrize(("text", "hedged"), HEDGES, ids=[h[0][:50] for h in HEDGES])
def test_hedge_policy(extractor: Extractor, text: str, hedged: bool) -> None:
    """Unnamed sources, rumours and 'reportedly' hedge; a party's own claim about itself does not."""
    claims = [c for c in extractor.extract(text).claims if c.kind == "change"]
    assert claims, extractor.explain(text)
    assert {c.hedged for c in claims} == {hedged}


def test_repost_gives_the_same_claim_as_the_original(extractor: Extractor) -> None:
    """'RT @handle:' and the handle itself change nothing: the handle names no place."""
    original = "Taliban say they have captured Ghoryan district in Herat."
    repost = "RT @takhar_news: " + original
    assert changes(extractor.extract(repost)) == changes(extractor.extract(original)) != set()


def test_excerpt_is_the_sentence_as_written_and_rule_is_named(extractor: Extractor) -> None:
    """The excerpt keeps the original text of the sentence that carried the claim; the rule says why."""
    text = "Heavy rain in Kabul today. Taliban capture Kunduz's Imam Sahib district after days of fighting!"
    (claim,) = extractor.extract(text).claims
    assert claim.excerpt == "Taliban capture Kunduz's Imam Sahib district after days of fighting!"
    assert claim.rule.startswith("en.capture")
