"""The labelled dev set, scored by the shared scorer with the extractor as its command: precision >= 0.95,
recall >= 0.90 overall and >= 0.85 in each script, hedge flag right on >= 90% of matched claims."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
SHARED = REPO.parent / "shared" / "eval"
DEV = SHARED / "dev"
SCORER = SHARED / "score_claims.py"

pytestmark = pytest.mark.skipif(
    not (DEV / "posts.jsonl").exists() or not SCORER.exists(),
    reason=f"the shared dev set or scorer is not beside the repo ({SHARED})",
)

_LINE = re.compile(r"^(all|latin|arabic-script)\s+precision ([\d.]+) \((\d+)/(\d+)\)\s+recall ([\d.]+)")
_HEDGE = re.compile(r"hedged flag right on (\d+)/(\d+) matched claims")


@pytest.fixture(scope="module")
def report() -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    command = [
        sys.executable,
        str(SCORER),
        "--set",
        str(DEV),
        "--",
        sys.executable,
        "-m",
        "districtwatch.core.extraction",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False
    )
    assert "no prediction line" not in done.stdout, done.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _figures(report: str) -> dict[str, tuple[float, float]]:
    found = {}
    for line in report.splitlines():
        match = _LINE.match(line)
        if match:
            found[match.group(1)] = (float(match.group(2)), float(match.group(5)))
    assert set(found) == {"all", "latin", "arabic-script"}, report
    return found


def test_precision_and_recall(report: str) -> None:
    """Overall precision >= 0.95 and recall >= 0.90 on the dev set."""
    precision, recall = _figures(report)["all"]
    assert precision >= 0.95, report
    assert recall >= 0.90, report


@pytest.mark.parametrize("script", ["latin", "arabic-script"])
def test_recall_per_script(report: str, script: str) -> None:
    """Latin-script and Arabic-script posts are each recalled at >= 0.85."""
    _, recall = _figures(report)[script]
    assert recall >= 0.85, report


def test_hedge_flag(report: str) -> None:
    """The hedged flag is right on >= 90% of the matched claims."""
    match = _HEDGE.search(report)
    assert match, report
    right, total = int(match.group(1)), int(match.group(2))
    assert total > 0, report
    assert right / total >= 0.90, report
