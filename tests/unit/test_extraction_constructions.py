"""Constructions of real text (issue 16), one general rule each, pinned by sentences quoted verbatim from
the corpus of news pages (tests/data/corpus) or from the issue: a city, capital or seat of government
stands for its district; nominal and idiomatic forms of a change; a loser marked in Dari and Pashto; a claim
paired with a counter-statement is hedged; clause lists; and the look-alikes that are not districts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from districtwatch.core.extraction import Extraction, Extractor
from tests.unit.extraction_cases import G, R, T, changes

SEATS_AND_CAPITALS = [
    # a capital word reaches over direction words and "Afghanistan's" to its province
    (
        "Taliban militants have overrun the provincial capital of Afghanistan’s northern Kunduz province, "
        "the fourth provincial capital to fall in the past three days, officials confirmed on Sunday.",
        {("Kunduz", "Kunduz", T, None, False)},
    ),
    # ... and along a list of provinces
    (
        "The Taliban have captured key government buildings in the capital cities of Sar-e-Pul and Kunduz "
        "provinces.",
        {("Sari Pul", "Sar-e Pol", T, None, False), ("Kunduz", "Kunduz", T, None, False)},
    ),
    # a seat of government in a town is the town: "in X" does not make X a mere location here
    (
        "Taliban leaders have entered the presidential palace in Kabul and are now in control of the "
        "capital.",
        {("Kabul", "Kabul", T, None, False)},
    ),
    ("Taliban captured the police headquarters in Kunduz city", {("Kunduz", "Kunduz", T, None, False)}),
    # the palace alone names its district (gazetteer data: a seat_of_government place in Kabul)
    (
        "KABUL, Afghanistan — Taliban fighters took control of the presidential palace",
        {("Kabul", "Kabul", T, None, False)},
    ),
    # Dari: a name with its ezafe written without the ZWNJ ("ناوهی"), resolved by the province named
    (
        "منابع محلی در ولایت هلمند، میگویند که ساختمان ولسوالی ناوهی این ولایت، "
        "به دست جنگجویان طالب افتاده است.",
        {("Nawa-I-Barak Zayi", "Helmand", T, None, True)},
    ),
]


def _ids(cases: list[tuple[str, object]]) -> list[str]:
    return [c[0][:50] for c in cases]


@pytest.mark.parametrize(("text", "expected"), SEATS_AND_CAPITALS, ids=_ids(SEATS_AND_CAPITALS))
def test_capitals_and_seats_stand_for_their_district(
    extractor: Extractor, text: str, expected: set[tuple[object, ...]]
) -> None:
    """A provincial capital named through its province, or a seat of government in a town, is a claim
    about the district that holds it."""
    assert changes(extractor.extract(text)) == expected, extractor.explain(text)


AUG_21 = datetime(2021, 8, 21, tzinfo=UTC)
JULY_1 = datetime(2021, 7, 1, tzinfo=UTC)

MARKED_LOSER = [
    # the Pashto construction: "left Taliban control", the loser marked by «له ولکې»
    ("د وردوج ولسوالۍ د طالبانو له ولکې ووتلې", AUG_21, {("Warduj", "Badakhshan", R, T, False)}),
    ("د وردوج ولسوالۍ د طالبانو له ولکې ووتلې", JULY_1, {("Warduj", "Badakhshan", G, T, False)}),
    # the Dari construction, transitive: the subject gained, else the pack's dated default
    (
        "نیروهای مقاومت ولسوالی خنجان را از کنترل طالبان خارج کردند",
        AUG_21,
        {("Khinjan", "Baghlan", R, T, False)},
    ),
    ("ولسوالی خنجان را از کنترل طالبان خارج کردند", JULY_1, {("Khinjan", "Baghlan", G, T, False)}),
    # corpus: a list, «بنو» (Banu) included, out of Taliban control and into the resistance's
    (
        "محمدی گفت که ولسوالی های «پل حصار،ده صلاح و بنو» در ولایت «بغلان» از کنترل طالبان خارج و  به کنترل "
        "نیروهای مقاومت در آمد.",
        AUG_21,
        {
            ("Puli Hisar", "Baghlan", R, T, False),
            ("Dih Salah", "Baghlan", R, T, False),
            ("Banu", "Baghlan", R, T, False),
        },
    ),
]


@pytest.mark.parametrize(
    ("text", "at", "expected"), MARKED_LOSER, ids=[f"{c[0][:40]} {c[1]:%m-%d}" for c in MARKED_LOSER]
)
def test_marked_loser_gives_the_gain_to_its_opponent(
    extractor: Extractor, text: str, at: datetime, expected: set[tuple[object, ...]]
) -> None:
    """Dari and Pashto "out of Taliban control": the Taliban lost; the named party, else the pack's default
    for the date (the Republic until 15 August 2021, the resistance after), gained."""
    assert changes(extractor.extract(text, at=at)) == expected, extractor.explain(text, at=at)


NOMINAL_AND_IDIOMATIC = [
    # "the capture of X": a nominal change; alone, a Taliban gain like "the fall of X"
    (
        "The capture of Jalalabad gives the Taliban complete control over the roads connecting the "
        "country with "
        "Pakistan.",
        {("Jalalabad", "Nangarhar", T, None, False)},
    ),
    # "after the fall of X" tells the fall as news, not as background
    (
        "After the fall of Jalalabad, Afghanistan’s last major city apart from Kabul which was not "
        "held by the "
        "militants, the insurgent group advanced towards the capital and around noon, the "
        "presidential palace "
        "confirmed firing in Kabul.",
        {("Jalalabad", "Nangarhar", T, None, False)},
    ),
    # "X is now in Taliban hands" (the form) and "in the hands of <party>"
    ("Spin Boldak is now in Taliban hands", {("Spin Boldak", "Kandahar", T, None, False)}),
    (
        "Taliban spokesman Zabihullah Mujahid said on May 21 that control of the Jalrez district was "
        "now in the "
        "hands of the group's fighters.",
        {("Jalrez", "Wardak", T, None, False)},
    ),
    # a month is no modal: "On May 20" does not make the capture a prediction
    (
        "On May 20, Dawlat Shah district of the eastern province of Laghman was captured by the Taliban, "
        "according to lawmakers from the province after having been besieged by the Taliban for at least a "
        "month.",
        {("Daulatshahi", "Laghman", T, None, False)},
    ),
    # entering a town, the party named
    (
        "“This afternoon the Taliban entered the city of Farah after briefly fighting with the "
        "security forces. "
        "They have captured the governor’s office and police headquarters,” Shahla Abubar, a member "
        "of Farah’s "
        "provincial council, told the AFP news agency on Tuesday.",
        {("Farah", "Farah", T, None, False)},
    ),
    # a flag planted in a town, by the party as news reports name it after the first mention
    (
        "The militiamen planted their flag in the main square of Kunduz city, where it was seen "
        "flying atop a "
        "traffic police booth, a video obtained by the Associated Press showed.",
        {("Kunduz", "Kunduz", T, None, False)},
    ),
]


@pytest.mark.parametrize(("text", "expected"), NOMINAL_AND_IDIOMATIC, ids=_ids(NOMINAL_AND_IDIOMATIC))
def test_nominal_and_idiomatic_forms(
    extractor: Extractor, text: str, expected: set[tuple[object, ...]]
) -> None:
    """Nouns of change, "in <party> hands", entering a named town and planting a flag are changes of hands."""
    assert changes(extractor.extract(text)) == expected, extractor.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "Fighting rages around Lashkar Gah as Taliban push into the city.",
        "Taliban may capture Kunduz",
        "Since the fall of Kunduz, prices have doubled",
    ],
)
def test_pushing_into_a_city_a_modal_and_since_stay_no_claim(extractor: Extractor, text: str) -> None:
    """Pushing into a city is not entering it; a modal still predicts; "since the fall of" looks back."""
    assert changes(extractor.extract(text)) == set(), extractor.explain(text)


COUNTERED = [
    # the two forms: a claim, and in a clause of its own an answer that fighting goes on
    (
        "Taliban claim to have captured Ghormach district; the government says fighting is ongoing",
        JULY_1,
        {("Ghormach", "Badghis", T, None, True)},
    ),
    (
        "forces recaptured Spin Boldak; the Taliban say fighting continues",
        JULY_1,
        {("Spin Boldak", "Kandahar", G, None, True)},
    ),
    # corpus: the answer is that nobody could confirm it
    (
        "The Taliban claimed to have captured the third-largest city of Herat in the west after days "
        "of clashes "
        "there but Reuters was unable to confirm that.",
        None,
        {("Hirat", "Herat", T, None, True)},
    ),
    (
        "The provincial city of Ghazni fell to the Taliban last night, but fighting is now raging in "
        "some areas "
        "and the army forces are trying to drive the Taliban out of the city.",
        None,
        {("Ghazni", "Ghazni", T, None, True)},
    ),
    # a denial in a later clause of its own answers the claim; it does not turn it into a denial
    (
        "Taliban say they captured Ghormach district; the government denied it",
        None,
        {("Ghormach", "Badghis", T, None, True)},
    ),
    # an answer about another place is news about that place, not an answer
    (
        "Taliban capture Khwaja Ghar and Darqad districts in Takhar; Yangi Qala under siege.",
        None,
        {("Khwaja Ghar", "Takhar", T, None, False), ("Darqad", "Takhar", T, None, False)},
    ),
    # a claim word reaches no further than a contrast: what follows "but" is told, not claimed
    (
        "The government claimed that 11 districts had been retaken from the Taliban in July, but "
        "five of these "
        "have since fallen back to the Taliban, Yaftal in Badakhshan, Chakhansur in Nimroz, Malistan "
        "in Ghazni, "
        "Garmsir in Helmand, and Guzara in Herat.",
        None,
        {
            ("Yaftal Sufla", "Badakhshan", T, None, False),
            ("Chakhansur", "Nimruz", T, None, False),
            ("Malistan", "Ghazni", T, None, False),
            ("Garmser", "Helmand", T, None, False),
            ("Guzara", "Herat", T, None, False),
        },
    ),
]


@pytest.mark.parametrize(("text", "at", "expected"), COUNTERED, ids=_ids(COUNTERED))
def test_a_claim_with_a_counter_statement_is_hedged(
    extractor: Extractor, text: str, at: datetime | None, expected: set[tuple[object, ...]]
) -> None:
    """A change answered, in another clause, by "fighting continues", "unable to confirm" or a denial is
    a hedged change, neither a denial nor nothing."""
    assert changes(extractor.extract(text, at=at)) == expected, extractor.explain(text, at=at)


def test_a_denial_that_governs_the_change_stays_a_denial(extractor: Extractor) -> None:
    """'Reports that X fell are not true': the denial shares the change's clause, so it denies it."""
    text = "Reports that Taliban captured Nili are not true, Daykundi police say."
    (claim,) = extractor.extract(text).claims
    assert claim.kind == "denial"


CLAUSE_LISTS = [
    # the form: the second clause's verb only says "the same happened to Y"
    (
        "Charsada fell on Monday; Tulak followed hours later",
        {("Charsada", "Ghor", T, None, False), ("Tulak", "Ghor", T, None, False)},
    ),
    (
        "Government forces abandoned Charsada on Monday; Tulak followed hours later",
        {("Charsada", "Ghor", T, G, False), ("Tulak", "Ghor", T, G, False)},
    ),
    # Pashto: five districts fell «د طالبانو لاس ته»; the two where fighting goes on did not
    (
        "په ولسي جرګه کې د تخار استازی محمد امیر خاکسار ويلي: له تېرې شپې راپدیخوا د نیمک آب، چال، "
        "ینګي قلعه، "
        "خواجه غار، هزار سمچ ولسوالۍ د طالبانو لاس ته لوېدلې او په دشت قلعه او درقد ولسوالیو کې سخته جګړه "
        "روانه ده.",
        {
            ("Namak Ab", "Takhar", T, None, False),
            ("Chal", "Takhar", T, None, False),
            ("Yangi Qala", "Takhar", T, None, False),
            ("Khwaja Ghar", "Takhar", T, None, False),
            ("Hazar Sumuch", "Takhar", T, None, False),
        },
    ),
    # Pashto: "brought under watch" (تر څارنې لاندې راوستې) a list of eight
    (
        "د تخار ولایتي شورا یوه غړي ويلي، چې طالبانو د تخار دشت قلعه، درقد، خواجه غار، چال، نمک آب، "
        "هزار سمچ، "
        "ینګي کلا او خواجه بهاوالدین ولسوالۍ تر څارنې لاندې راوستې دي.",
        {
            ("Dashti Qala", "Takhar", T, None, False),
            ("Darqad", "Takhar", T, None, False),
            ("Khwaja Ghar", "Takhar", T, None, False),
            ("Chal", "Takhar", T, None, False),
            ("Namak Ab", "Takhar", T, None, False),
            ("Hazar Sumuch", "Takhar", T, None, False),
            ("Yangi Qala", "Takhar", T, None, False),
            ("Khwaja Bahawuddin", "Takhar", T, None, False),
        },
    ),
]


@pytest.mark.parametrize(("text", "expected"), CLAUSE_LISTS, ids=_ids(CLAUSE_LISTS))
def test_lists_across_clauses(extractor: Extractor, text: str, expected: set[tuple[object, ...]]) -> None:
    """Every district of a list changes hands, also when a later clause only says "Y followed"."""
    assert changes(extractor.extract(text)) == expected, extractor.explain(text)


def test_followed_without_an_earlier_change_is_no_claim(extractor: Extractor) -> None:
    """ "Followed" repeats a change; with none before it, it is another sense of the word."""
    assert changes(extractor.extract("Tulak followed the news")) == set()


NOT_A_DISTRICT = [
    # a valley that spans several districts is not the district that shares its name
    "In Baglan Province in Afghanistan, the Afghan National Resistance which groups in Panjshir valley, "
    "managed to recapture Andarab from the Taliban.",
    "Taliban captured Andarab",
    # the other look-alikes: a place near which something happened, and a road named after a town
    "Taliban seized checkpoints near Andar",
    "Taliban took control of the Puli Khumri highway",
]


@pytest.mark.parametrize("text", NOT_A_DISTRICT, ids=[t[:50] for t in NOT_A_DISTRICT])
def test_regions_roads_and_nearby_places_are_not_districts(extractor: Extractor, text: str) -> None:
    """A region, a road, or a place that is only near the action gives no claim."""
    assert changes(extractor.extract(text)) == set(), extractor.explain(text)


def test_a_district_word_makes_the_region_name_the_district(extractor: Extractor) -> None:
    """'Andarab district' is the district of that name (gazetteer: Andarab is also a region)."""
    assert changes(extractor.extract("Taliban captured Andarab district")) == {
        ("Andarab", "Baghlan", T, None, False)
    }


def districts(result: Extraction) -> set[str]:
    return {c.district for c in result.claims if c.kind == "change"}


LOOK_ALIKES = [
    # a weekday is no place, whatever its consonants ("Monday" ~ Maywand)
    (
        "Safdar Mohseni, head of Baghlan provincial council, said Tuesday that the Baghlan-e-Makrzai "
        "district "
        "fell to the insurgents late Monday and Nahrin district fell early Tuesday.",
        "Maywand",
    ),
    # a person's name right after "the city,”" is not a city ("Sherin" ~ Sharan)
    (
        "“No fighting took place in Nilli. All security forces and local officials evacuated the "
        "city without "
        "fighting and Taliban are now in control of the city,” Sherin Mohsini, the representative of "
        "Daikundi "
        "in the lower house of Parliament, told EFE.",
        "Sharan",
    ),
    # Iranian Persian «شهرستان» is the word for district, not the district Shahristan
    (
        "یک عضو شورای استانی فاریاب در شمال افغانستان اعلام کرد که گروه طالبان شهرستان دولت آباد این استان "
        "را پس از درگیری با نیروهای دولتی تصرف کرد.",
        "Shahristan",
    ),
    # a town named as the location of the change ("in the west of provincial capital X")
    (
        '"The Taliban captured Nirkh district of Wardak province following collision on Tuesday. '
        "The security forces made a tactical retreat from the district, in the west of provincial capital "
        'Maidan Shar," '
        "Ariana News TV quoted provincial governor Abdul Rahman Tariq as saying.",
        "Maydan Shahr",
    ),
]


@pytest.mark.parametrize(("text", "absent"), LOOK_ALIKES, ids=[c[1] for c in LOOK_ALIKES])
def test_look_alikes_are_not_targets(extractor: Extractor, text: str, absent: str) -> None:
    """Weekdays, people's names next to punctuation, the word for district and a location are no claim."""
    assert absent not in districts(extractor.extract(text)), extractor.explain(text)


def test_an_area_and_the_district_it_lies_in_are_no_claim(extractor: Extractor) -> None:
    """«منطقه X ولسوالی Y»: an area of Y fell, neither the district named like the area nor Y."""
    text = "منطقه شاهجوی ولسوالی دولینه غور به دست طالبان سقوط کرد!"
    assert changes(extractor.extract(text)) == set(), extractor.explain(text)


def test_a_dateline_of_the_posts_year_is_not_history(extractor: Extractor) -> None:
    """'22nd March, 2021' in a post of March 2021 dates the news; 'in 2015' in it would be history."""
    text = (
        "KABUL (UrduPoint News / Sputnik - 22nd March, 2021) The center of Charkh district in Afghanistan's "
        "eastern province of Logar has fallen under the control of the Taliban movement, a resident "
        "of Charkh "
        "confirmed to Sputnik on Monday."
    )
    at = datetime(2021, 3, 22, tzinfo=UTC)
    assert districts(extractor.extract(text, at=at)) == {"Charkh"}
    assert districts(extractor.extract(text, at=datetime(2023, 1, 1, tzinfo=UTC))) == set()


WHO_GAINED = [
    # the subject of an active verb of gain gained, not a party after "to" or "with"
    (
        "Local sources said the insurgents had captured Zaranj, in Nimroz province, on Friday "
        "afternoon, in what "
        "would be a major blow to government forces.",
        {("Zaranj", "Nimruz", T, None, True)},
    ),
    (
        "یک عضو شورای استانی فاریاب در شمال افغانستان اعلام کرد که گروه طالبان شهرستان دولت آباد این استان "
        "را پس از درگیری با نیروهای دولتی تصرف کرد.",
        {("Dawlatabad", "Faryab", T, None, False)},
    ),
    (
        "The Afghan government forces have regained control over the strategic Spin Buldak district on the "
        "border with Pakistan captured by the Taliban (banned in Russia) earlier this week, the "
        "spokesman for "
        "the Afghan Interior Ministry, Tariq Arian, said on Friday.",
        {("Spin Boldak", "Kandahar", G, None, False)},
    ),
    # coordinated subjects: the first named
    (
        '"#ANDSF [the Afghan National Security Forces] & Public Uprising Forces liberated the Saighan '
        "district of #Bamyan province from Taliban control today morning. #Taliban terrorist[s] were "
        "suffered heavy "
        'casualties and fled the district," the ministry tweeted.',
        {("Sayghan", "Bamyan", G, T, False)},
    ),
]


@pytest.mark.parametrize(("text", "expected"), WHO_GAINED, ids=_ids(WHO_GAINED))
def test_who_gained(extractor: Extractor, text: str, expected: set[tuple[object, ...]]) -> None:
    """Subjects outrank markers that belong to other phrases; coordinated subjects count by their head."""
    assert changes(extractor.extract(text)) == expected, extractor.explain(text)


REFERENCE_AND_RESOLUTION = [
    # "the city" refers back to the town named last, whatever role that mention had
    (
        "“No fighting took place in Nilli. All security forces and local officials evacuated the "
        "city without "
        "fighting and Taliban are now in control of the city,” Sherin Mohsini, the representative of "
        "Daikundi "
        "in the lower house of Parliament, told EFE.",
        {("Nili", "Daykundi", T, G, False)},
    ),
    (
        "از سوی دیگر، گفته میشود که در شهرستان «غوریان» ولایت هرات نیز طالبان از شب گذشته حملات را "
        "آغاز کردند "
        "و گفته میشود که این شهرستان به تصرف طالبان درآمده است.",
        {("Ghoryan", "Herat", T, None, True)},
    ),
    # ... to a town, not to a province named as a qualifier ("Balkh provincial council")
    (
        "“The Taliban have captured Mazar-i-Sharif,” Afzal Hadid, the president of the Balkh provincial "
        "council, stated, adding that the city was taken without a struggle.",
        {("Mazari Sharif", "Balkh", T, None, False)},
    ),
    # two same-named districts: the sentence calls it a city, and only one of them holds a capital
    (
        "The Taliban have captured the city of Faizabad in northern Afghanistan, a local MP told AFP on "
        "Wednesday, the ninth provincial capital to fall to the insurgents in less than a week.",
        {("Fayzabad", "Badakhshan", T, None, False)},
    ),
    # the subject of a relative clause is the party right before "which"
    (
        "Governor of Afghanistan's Ghazni province was arrested on Thursday for allegedly cutting a "
        "deal with "
        "the Taliban, which has taken control of the provincial capital also named Ghazni, according "
        "to media "
        "reports.",
        {("Ghazni", "Ghazni", T, None, True)},
    ),
    # a list after a dash names what the verb counted, unknown names (Gul Tapa) and all
    (
        "Since June 13, the Taliban have overrun a total of six districts – Khanabad, Chardara, Qalay-i-Zal, "
        "Imam Sahib, Gul Tapa, and Dasht-e-Archi – in Kunduz province.",
        {
            ("Khanabad", "Kunduz", T, None, False),
            ("Chahar Dara", "Kunduz", T, None, False),
            ("Qalay-I-Zal", "Kunduz", T, None, False),
            ("Imam Sahib", "Kunduz", T, None, False),
            ("Dashte Archi", "Kunduz", T, None, False),
        },
    ),
    # one post, two changes of one district: both are told
    (
        "The anti-Taliban fighters seized Pul-e-Hisar, Deh Salah and Banu districts on August 20, but the "
        "Taliban recaptured Banu on August 21, and fighting is underway to re-take two more "
        "districts, Xinhua "
        "news agency quoted TOLO News as saying on Sunday.",
        {
            ("Puli Hisar", "Baghlan", R, None, False),
            ("Dih Salah", "Baghlan", R, None, False),
            ("Banu", "Baghlan", R, None, False),
            ("Banu", "Baghlan", T, None, False),
        },
    ),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCE_AND_RESOLUTION, ids=_ids(REFERENCE_AND_RESOLUTION))
def test_reference_and_resolution(extractor: Extractor, text: str, expected: set[tuple[object, ...]]) -> None:
    """Anaphors, capitals among same-named districts, relative clauses, dash lists and two changes of one
    district in one post."""
    assert changes(extractor.extract(text)) == expected, extractor.explain(text)


def test_a_bare_shared_name_is_still_ambiguous(extractor: Extractor) -> None:
    """Without a city or capital word nothing tells the two Fayzabads apart: dead-lettered, not guessed."""
    result = extractor.extract("Taliban captured Faizabad")
    assert result.claims == ()
    (ambiguous,) = result.ambiguous
    assert set(ambiguous.candidates) == {("Fayzabad", "Badakhshan"), ("Fayzabad", "Jowzjan")}


NOT_A_CHANGE = [
    "The fall of Lashkar Gah would be a major turning point in the offensive that the Taliban has waged over "
    "recent months as U.S. and NATO forces complete their pullout from the war-torn country.",
    "Security forces have launched several operations in the past few days to retake Siahgard district, but "
    "the Taliban still control the district.",
    "The group is now continuing its fight to overrun Mazar-i-Sharif, the capital of Balkh province, and "
    "Maimana of Farah province.",
    "The Taliban have taken several regions across the three northern provinces of Kunduz, Baghlan "
    "and Balkh.",
]


@pytest.mark.parametrize("text", NOT_A_CHANGE, ids=[t[:50] for t in NOT_A_CHANGE])
def test_hypotheses_aims_and_provinces_are_no_claim(extractor: Extractor, text: str) -> None:
    """A modal after a noun of change, an aim ("to retake", "fight to overrun") and a list of provinces
    give no claim."""
    assert changes(extractor.extract(text)) == set(), extractor.explain(text)


def test_forces_that_left_a_district_lost_it(extractor: Extractor) -> None:
    """'Security forces left X': a loss verb; the Republic lost, its opponent gained."""
    text = "Security forces left Nijrab district in Kapisa – 100 kilometers north of Kabul – a week ago."
    assert changes(extractor.extract(text)) == {("Nijrab", "Kapisa", T, G, False)}, extractor.explain(text)
