#!/usr/bin/env python3
"""Build the demo's sample stream, districtwatch/samples/baghlan-2021-08-20.jsonl.

The story of 20 Aug 2021: @AsvakaNews (English) and @PanjshirProvin1 (Dari) report that resistance
forces took Pol-e-Hesar, Deh Salah and Banu districts of Baghlan from the Taliban; the Dari post says
Pol-e-Hesar was retaken and fighting goes on in Deh Salah and Banu. One repost of each follows. Around
them, a few hundred posts a desk would also see that day and that must not raise an alert: news from
elsewhere, aid, weather, sport, prices — in English, Dari and Pashto. Seeded, so the file is
reproducible (post ids are made up for the sample):
`python scripts/build_sample.py > districtwatch/samples/baghlan-2021-08-20.jsonl`.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta

SEED = 20210820
START = datetime(2021, 8, 20, 6, 0, tzinfo=UTC)

STORY = [
    {
        "id": "sample-asvakanews-1",
        "platform": "twitter",
        "account": "AsvakaNews",
        "at": timedelta(hours=2, minutes=12),
        "lang": "en",
        "text": "Pol-e-Hesar, Deh Salah and Banu districts in #Baghlan provinces have been captured by "
        "the Public's Resistance Forces…",
    },
    {
        "id": "sample-panjshirprovin1-1",
        "platform": "twitter",
        "account": "PanjshirProvin1",
        "at": timedelta(hours=3, minutes=2),
        "lang": "fa",
        "text": "ولسوالی پلحصار از طالبان پس گرفته شد و جنگ به شدت در ولسوالهای ده سلاح و بنو جریان دارد…",
    },
]

REPOSTS = [
    (
        "sample-kabul_watch-1",
        "twitter",
        "kabul_watch",
        timedelta(hours=2, minutes=19),
        0,
        "RT @AsvakaNews: {text}",
    ),
    ("sample-afghan_voice-1", "telegram", "afghan_voice", timedelta(hours=3, minutes=30), 1, "{text}"),
]

FILLER = {
    "en": [
        "Prices of flour rose again in {city} markets today, traders say.",
        "Long queues outside banks in {city} as people try to withdraw cash.",
        "UN agencies say they will continue delivering food aid in {city}.",
        "Weather: hot and dry in {city}, {temp}°C expected this afternoon.",
        "Flights from Kabul airport remain suspended for commercial traffic.",
        "Cricket: Afghanistan squad announced for the upcoming T20 series.",
        "Hospitals in {city} report shortages of medicine and fuel.",
        "The afghani weakened against the dollar in money markets on {day}.",
        "Families gather outside the passport office in {city}.",
        "Thread: how to support refugees arriving in neighbouring countries.",
        "Football: local league matches postponed in {city} this week.",
        "Schools in {city} remain closed; teachers await salaries.",
        "Photo essay: the old bazaar of {city} at dawn.",
        "Journalists in {city} describe an uncertain week.",
        "Electricity cut in parts of {city} for a third day.",
    ],
    "fa": [
        "قیمت آرد در بازارهای {city_fa} دوباره افزایش یافت.",
        "صف‌های طولانی در برابر بانک‌ها در {city_fa} دیده می‌شود.",
        "هوای {city_fa} امروز گرم و خشک خواهد بود.",
        "کمک‌های غذایی سازمان ملل به {city_fa} ادامه دارد.",
        "تیم ملی کرکت افغانستان برای مسابقات آینده اعلام شد.",
        "شفاخانه‌های {city_fa} با کمبود دارو روبرو هستند.",
        "نرخ افغانی در برابر دالر امروز کاهش یافت.",
        "مکاتب {city_fa} هنوز بسته هستند.",
    ],
    "ps": [
        "په {city_ps} کې د اوړو بیه بیا لوړه شوې ده.",
        "د {city_ps} هوا نن ګرمه او وچه ده.",
        "د ملګرو ملتونو خوراکي مرستې {city_ps} ته دوام لري.",
        "د افغانستان د کرکټ ملي لوبډله اعلان شوه.",
        "د {city_ps} روغتونونه د درملو له کمښت سره مخ دي.",
    ],
}
CITIES = [
    ("Kabul", "کابل", "کابل"),
    ("Herat", "هرات", "هرات"),
    ("Mazar", "مزار", "مزار"),
    ("Jalalabad", "جلال‌آباد", "جلال اباد"),
]
ACCOUNTS = [
    "daily_kabul",
    "aid_updates",
    "weather_af",
    "sport_af",
    "market_watch_af",
    "tolo_fa",
    "pajhwok_ps",
    "radio_azadi",
]


def story_posts() -> list[dict[str, object]]:
    posts: list[dict[str, object]] = []
    for item in STORY:
        posts.append(
            _post(
                item["id"], item["platform"], item["account"], START + item["at"], item["text"], item["lang"]
            )
        )
    for post_id, platform, account, at, original, template in REPOSTS:
        source = STORY[original]
        post = _post(
            post_id, platform, account, START + at, template.format(text=source["text"]), source["lang"]
        )
        post["repost_of"] = source["id"]
        post["repost_of_account"] = source["account"]
        posts.append(post)
    return posts


def filler_posts(rng: random.Random, count: int) -> list[dict[str, object]]:
    posts = []
    for index in range(count):
        lang = rng.choices(["en", "fa", "ps"], weights=[5, 3, 2])[0]
        city, city_fa, city_ps = rng.choice(CITIES)
        text = rng.choice(FILLER[lang]).format(
            city=city,
            city_fa=city_fa,
            city_ps=city_ps,
            temp=rng.randint(29, 41),
            day=rng.choice(["Friday", "Saturday"]),
        )
        at = START + timedelta(seconds=index * 40 + rng.randint(0, 39))
        posts.append(
            _post(
                f"filler-{index:04d}",
                rng.choice(["twitter", "telegram"]),
                rng.choice(ACCOUNTS),
                at,
                text,
                lang,
            )
        )
    return posts


def _post(
    post_id: object, platform: object, account: object, at: datetime, text: object, lang: object
) -> dict[str, object]:
    return {
        "id": post_id,
        "platform": platform,
        "account": account,
        "created_at": at.isoformat().replace("+00:00", "Z"),
        "text": text,
        # Ids are made up for the sample; links point to the accounts, not to invented posts.
        "url": f"https://x.com/{account}" if platform == "twitter" else f"https://t.me/s/{account}",
        "lang": lang,
    }


def main() -> None:
    rng = random.Random(SEED)
    posts = story_posts() + filler_posts(rng, 300)
    posts.sort(key=lambda p: (str(p["created_at"]), str(p["id"])))
    for post in posts:
        sys.stdout.write(json.dumps(post, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
