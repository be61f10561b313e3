"""Extraction throughput on one core, against a baseline measured in the same process.

    python bench/bench_extract.py [--posts 20000] [--seed 7] [--repeat 3]

The stream comes from ``bench/synthetic.py`` (about 95% irrelevant posts, 5% claims, 10% reposts), turned
into JSON lines first so that every variant pays the same decoding cost.  Measured per post:

* baseline:     ``json.loads`` + ``str.lower`` of the text (the least any stage does with a post);
* is_relevant:  ``json.loads`` + ``Extractor.is_relevant`` (the pipeline's filter stage);
* extract:      ``json.loads`` + ``Extractor.extract`` on every post (no prefilter in front).

The best of ``--repeat`` runs is reported, with the ratio to the baseline; the target for ``extract`` is
20,000 posts/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import generate
from districtwatch.core.extraction import Extractor

TARGET = 20_000


def _rate(lines: list[str], work: Callable[[str], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for line in lines:
            work(json.loads(line)["text"])
        best = min(best, time.perf_counter() - started)
    return len(lines) / best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    lines = [json.dumps(post, ensure_ascii=False) for post in generate(args.posts, args.seed)]
    started = time.perf_counter()
    extractor = Extractor.load()
    load_s = time.perf_counter() - started
    for line in lines[:2000]:  # warm the token-key caches, as a long-running worker's would be
        extractor.extract(json.loads(line)["text"])

    baseline = _rate(lines, str.lower, args.repeat)
    relevant = _rate(lines, extractor.is_relevant, args.repeat)
    extract = _rate(lines, extractor.extract, args.repeat)
    claims = sum(len(extractor.extract(json.loads(line)["text"]).claims) for line in lines)

    print(f"posts: {len(lines)} (seed {args.seed}), claims found: {claims}, extractor load: {load_s:.2f} s")
    print(f"baseline json.loads+lower : {baseline:12,.0f} posts/s")
    print(
        f"is_relevant               : {relevant:12,.0f} posts/s  ({baseline / relevant:.1f}x baseline time)"
    )
    print(f"extract                   : {extract:12,.0f} posts/s  ({baseline / extract:.1f}x baseline time)")
    verdict = "meets" if extract >= TARGET else "MISSES"
    print(f"extract {verdict} the target of {TARGET:,} posts/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
