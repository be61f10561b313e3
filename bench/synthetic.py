"""A seeded generator of a realistic post stream, for benchmarks and load tests.

The stream looks like what districtwatch reads during a conflict: about 95% of posts are about something
else (general news, sport, aid, weather, other countries) in English, Dari and Pashto, about 5% claim that
a district changed hands (in varied phrasings, some hedged, some lists, some recaptures), and about 10% of
all posts are reposts of an earlier one.  Place and actor names are drawn from the shipped gazetteer and
keyword pack, so the generator knows no country itself and follows the data.

    from bench.synthetic import generate
    for post in generate(10_000, seed=7):
        ...   # {"id", "platform", "account", "created_at", "text"} (+ "repost_of" on reposts)
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import yaml

__all__ = ["generate"]

RELEVANT_SHARE = 0.05
REPOST_SHARE = 0.10

# Templates: {d} district, {p} province, {a} actor name, {b} another actor name, {c} a province capital.
RELEVANT_EN = [
    "{a} capture {d} district in {p} after days of fighting.",
    "BREAKING: {a} have taken control of {d} district of {p} province",
    "{d} district centre in {p} has fallen to the {a}, officials say.",
    "Unverified reports say {d} district has fallen to the {a}.",
    "{a} retook {d} district from the {b} overnight.",
    "{c}, the capital of {p}, fell to the {a} on Sunday.",
    "#{p}: {a} seize {d} and surrounding villages",
    "{a} say they have recaptured {d} district in {p}.",
    "The {b} abandoned {d} district; {a} now in control.",
    "Sources: {a} overran {d} district headquarters in {p} province",
]
RELEVANT_FA = [
    "{a} ولسوالی {d} ولایت {p} را تصرف کردند",
    "ولسوالی {d} به دست {a} سقوط کرد",
    "گفته می شود ولسوالی {d} {p} به کنترل {a} درآمد",
    "{a} ولسوالی {d} را از {b} پس گرفتند",
]
RELEVANT_PS = [
    "{a} د {p} ولایت {d} ولسوالۍ ونیوله",
    "د {d} ولسوالۍ د {a} لاس ته ولوېده",
    "{a} د {d} ولسوالۍ بېرته ونیوله",
]
IRRELEVANT_EN = [
    "National cricket team beats {x} by {n} runs in the second T20.",
    "Heavy snow closes roads in {p} province; travellers advised to wait.",
    "WFP delivers food aid to {n},000 families in {p}.",
    "Prices of flour rose {n} percent in {c} markets this week.",
    "{x} and {y} hold talks on trade and energy cooperation.",
    "Earthquake of magnitude {m}.2 strikes near the {x} border, no damage reported.",
    "Polio vaccination campaign starts in {n} provinces on Monday.",
    "Schools reopen in {c} after the winter break.",
    "Election results in {x} expected later this week, officials said.",
    "Stock markets in {x} fell sharply on Tuesday amid inflation fears.",
    "UN envoy meets women's rights activists in {c}.",
    "Floods damage {n} houses and farmland in {p}.",
    "Football: {x} took the lead in the {n}th minute and never looked back.",
    "New hospital wing opens in {c} with support from donors.",
    "Drought threatens wheat harvest across the north, farmers say.",
]
IRRELEVANT_FA = [
    "تیم ملی کرکت افغانستان در مسابقه امروز پیروز شد",
    "برف باری شدید راه های ولایت {p} را مسدود کرد",
    "کمک های غذایی به {n} هزار خانواده در {p} توزیع شد",
    "قیمت آرد در بازارهای {c} افزایش یافت",
    "مکاتب در شهر {c} پس از رخصتی زمستانی بازگشایی شد",
    "نشست اقتصادی منطقه ای در کابینه برگزار شد",
]
IRRELEVANT_PS = [
    "د افغانستان د کرکټ ملي لوبډلې نن لوبه وګټله",
    "په {p} ولایت کې سختو واورو لارې بندې کړې",
    "د {c} په ښار کې د اوړو بیې لوړې شوې",
    "په {p} کې د پولیو د واکسین کمپاین پیل شو",
    "د سوداګرۍ وزارت نوې پالیسي اعلان کړه",
]
COUNTRIES = [
    "Pakistan",
    "Iran",
    "India",
    "Uzbekistan",
    "Tajikistan",
    "Turkey",
    "Qatar",
    "Bangladesh",
    "Ukraine",
    "Germany",
    "China",
    "Kazakhstan",
]
PLATFORMS = ["twitter", "telegram", "facebook", "web"]


class _Names:
    """Names drawn from the shipped data files: districts, provinces, capitals and actor spellings."""

    def __init__(self) -> None:
        data = resources.files("districtwatch.data")
        gazetteer = json.loads(data.joinpath("gazetteers", "afghanistan.json").read_text(encoding="utf-8"))
        pack = yaml.safe_load(data.joinpath("keywords", "afghanistan.yaml").read_text(encoding="utf-8"))
        self.districts = [
            (d["name"], d.get("name_fa") or d["name"], d["province"]) for d in gazetteer["districts"]
        ]
        fa_of = {(d["province"], d["name"]): d.get("name_fa") or d["name"] for d in gazetteer["districts"]}
        self.provinces = {
            p["name"]: (p.get("name_fa") or p["name"], p.get("capital") or p["name"])
            for p in gazetteer["provinces"]
        }
        self.capitals_fa = {
            name: fa_of.get((name, capital), capital) for name, (_, capital) in self.provinces.items()
        }
        self.actors: dict[str, dict[str, list[str]]] = {
            actor: {lang: [n for n in names if len(n) > 3] or names for lang, names in spec["names"].items()}
            for actor, spec in pack["actors"].items()
        }


def _relevant(rng: random.Random, names: _Names) -> str:
    lang = rng.choices(["en", "fa", "ps"], weights=[6, 3, 2])[0]
    district, district_fa, province = rng.choice(names.districts)
    province_fa, capital = names.provinces[province]
    capital_fa = names.capitals_fa[province]
    gainer, loser = rng.sample(sorted(names.actors), 2)
    template = rng.choice({"en": RELEVANT_EN, "fa": RELEVANT_FA, "ps": RELEVANT_PS}[lang])

    def pick(actor: str) -> str:
        return rng.choice(names.actors[actor].get(lang) or names.actors[actor]["en"])

    if lang == "en":
        return template.format(a=pick(gainer).title(), b=pick(loser), d=district, p=province, c=capital)
    return template.format(a=pick(gainer), b=pick(loser), d=district_fa, p=province_fa, c=capital_fa)


def _irrelevant(rng: random.Random, names: _Names) -> str:
    lang = rng.choices(["en", "fa", "ps"], weights=[6, 3, 2])[0]
    template = rng.choice({"en": IRRELEVANT_EN, "fa": IRRELEVANT_FA, "ps": IRRELEVANT_PS}[lang])
    province = rng.choice(sorted(names.provinces))
    province_fa, capital = names.provinces[province]
    x, y = rng.sample(COUNTRIES, 2)
    if lang != "en":
        province, capital = province_fa, names.capitals_fa[province]
    return template.format(p=province, c=capital, x=x, y=y, n=rng.randint(2, 90), m=rng.randint(3, 7))


def generate(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` Post-shaped dicts, the same for the same seed; ``created_at`` increases (ISO 8601, UTC)."""
    rng = random.Random(seed)
    names = _Names()
    accounts = [f"acct_{i:03d}" for i in range(200)]
    clock = datetime(2021, 7, 1, tzinfo=UTC)
    recent: list[dict[str, Any]] = []
    for i in range(n):
        clock += timedelta(seconds=rng.randint(1, 20))
        post: dict[str, Any] = {
            "id": f"s{seed}-{i:07d}",
            "platform": rng.choice(PLATFORMS),
            "account": rng.choice(accounts),
            "created_at": clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if recent and rng.random() < REPOST_SHARE:
            original = rng.choice(recent)
            post["text"] = f"RT @{original['account']}: {original['text']}"
            post["repost_of"] = original["id"]
        else:
            relevant = rng.random() < RELEVANT_SHARE
            post["text"] = _relevant(rng, names) if relevant else _irrelevant(rng, names)
            recent.append(post)
            if len(recent) > 500:
                recent.pop(0)
        yield post
