"""A seeded generator of a realistic post stream, for benchmarks and load tests.

The stream looks like what districtwatch reads during a conflict: about 95% of posts are about something
else (general news, sport, aid, weather, other countries) in English, Dari and Pashto, about 5% claim that
a district changed hands (in varied phrasings, some hedged, some lists, some recaptures), and about 10% of
all posts are reposts of an earlier one.  Place and actor names are drawn from the shipped gazetteer and
keyword pack, so the generator knows no country itself and follows the data.

Event time follows the tempo of a campaign like summer 2021 (:class:`Tempo`): lulls of a few dozen posts
a minute, offensives of several hundred a minute, and short surges at 100 times the offensive's rate,
as when a provincial capital falls.  Arrivals within a phase are random (Poisson), so ``created_at`` is
what an event-time window would see in a live feed.  The texts depend only on ``seed``; the tempo draws
from a random stream of its own, so changing the tempo leaves the texts as they were.

    from bench.synthetic import generate
    for post in generate(10_000, seed=7):
        ...   # {"id", "platform", "account", "created_at", "text"} (+ "repost_of" on reposts)
    generate(10_000, seed=7, tempo=Tempo.steady(500 * 60))   # 500 posts/s of event time throughout
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import yaml

__all__ = ["START", "Tempo", "generate"]

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


START = datetime(2021, 7, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Tempo:
    """How fast posts arrive, in posts per minute of event time, phase by phase.

    A lull lasts ``lull_minutes`` at ``lull_rate``; an offensive ``offensive_minutes`` at
    ``offensive_rate``; after an offensive, a surge follows with probability ``surge_chance``, for
    ``surge_minutes`` at ``surge_factor`` times the offensive's rate, and the offensive resumes.
    Each bound is a (low, high) range, drawn uniformly per phase.
    """

    lull_rate: tuple[float, float] = (20.0, 60.0)
    lull_minutes: tuple[float, float] = (20.0, 120.0)
    offensive_rate: tuple[float, float] = (200.0, 600.0)
    offensive_minutes: tuple[float, float] = (30.0, 180.0)
    surge_chance: float = 0.3
    surge_factor: float = 100.0
    surge_minutes: tuple[float, float] = (1.0, 5.0)

    @classmethod
    def steady(cls, per_minute: float) -> Tempo:
        """One rate throughout, no phases (load tests at a fixed rate)."""
        rate = (per_minute, per_minute)
        return cls(rate, (60.0, 60.0), rate, (60.0, 60.0), 0.0, 1.0, (1.0, 1.0))

    def clock(self, rng: random.Random, start: datetime) -> Iterator[tuple[datetime, str]]:
        """Arrival times from ``start`` on, each with the phase it falls in; endless."""
        now = start
        phase, rate, offensive_rate = "offensive", rng.uniform(*self.offensive_rate), 0.0
        ends = now + timedelta(minutes=rng.uniform(*self.offensive_minutes))
        while True:
            now += timedelta(seconds=rng.expovariate(rate / 60.0))
            while now >= ends:
                if phase == "offensive" and rng.random() < self.surge_chance:
                    phase, offensive_rate = "surge", rate
                    rate, minutes = rate * self.surge_factor, rng.uniform(*self.surge_minutes)
                elif phase == "surge":
                    phase, rate = "offensive", offensive_rate
                    minutes = rng.uniform(*self.offensive_minutes) / 2
                elif phase == "offensive":
                    phase, rate, minutes = (
                        "lull",
                        rng.uniform(*self.lull_rate),
                        rng.uniform(*self.lull_minutes),
                    )
                else:
                    phase, rate = "offensive", rng.uniform(*self.offensive_rate)
                    minutes = rng.uniform(*self.offensive_minutes)
                ends += timedelta(minutes=minutes)
            yield now, phase


def generate(
    n: int, seed: int = 0, *, tempo: Tempo | None = None, start: datetime = START
) -> Iterator[dict[str, Any]]:
    """``n`` Post-shaped dicts, the same for the same seed and tempo.

    ``created_at`` increases (ISO 8601, UTC, milliseconds) at the pace of ``tempo`` (default: the
    summer 2021 campaign, :class:`Tempo`); the texts depend on ``seed`` only.
    """
    rng = random.Random(seed)
    clock = (tempo or Tempo()).clock(random.Random(f"tempo-{seed}"), start)
    names = _Names()
    accounts = [f"acct_{i:03d}" for i in range(200)]
    recent: list[dict[str, Any]] = []
    for i in range(n):
        rng.randint(1, 20)  # the former clock's draw, kept so that every seed gives the texts it gave
        at, _ = next(clock)
        post: dict[str, Any] = {
            "id": f"s{seed}-{i:07d}",
            "platform": rng.choice(PLATFORMS),
            "account": rng.choice(accounts),
            "created_at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
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
