"""``python -m districtwatch.core.extraction [--explain]``: posts as JSON lines on stdin, claims on stdout."""

from __future__ import annotations

import argparse
import io
import sys

from districtwatch.core.extraction.claims import Extractor
from districtwatch.core.extraction.stdio import extract_lines
from districtwatch.errors import ConfigError


def main(argv: list[str] | None = None) -> int:
    """Run the extractor over stdin; exit 2 when the gazetteer or keyword pack cannot be loaded."""
    parser = argparse.ArgumentParser(prog="python -m districtwatch.core.extraction", description=__doc__)
    parser.add_argument("--explain", action="store_true", help="add an 'explain' field to every output line")
    parser.add_argument("--gazetteer", default="afghanistan", help="gazetteer name or path to its JSON")
    parser.add_argument("--keywords", default="afghanistan", help="keyword pack name or path to its YAML")
    args = parser.parse_args(argv)
    try:
        extractor = Extractor.load(args.gazetteer, args.keywords)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Posts are UTF-8 whatever the locale says (CI may run under LANG=C); undecodable bytes are replaced
    # rather than fatal, so one bad post cannot stop the stream.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=False)
    for out in extract_lines(stdin, extractor, explain=args.explain):
        stdout.write(out + "\n")
    stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
