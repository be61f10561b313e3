"""The bundled samples load and name only districts of the bundled gazetteer."""

from __future__ import annotations

import json

from districtwatch.core.accounts import AccountRegistry
from districtwatch.core.control.baseline import Baseline
from districtwatch.samples import sample_file
from districtwatch.schemas import Post


def test_sample_baseline_names_real_districts() -> None:
    baseline = Baseline.load(sample_file("baseline-2021-08-16.json"))
    assert baseline is not None
    gazetteer = json.loads(
        (sample_file("accounts.yaml").parent.parent / "data/gazetteers/afghanistan.json").read_text(
            encoding="utf-8"
        )
    )
    known = {(d["province"], d["name"]) for d in gazetteer["districts"]}
    assert all((e.province, e.district) in known for e in baseline.districts)
    assert baseline.state("Baghlan", "Puli Hisar").controller == "taliban"
    assert baseline.state("Panjshir", "Paryan").controller == "resistance"


def test_sample_stream_is_valid_posts_with_the_story() -> None:
    lines = sample_file("baghlan-2021-08-20.jsonl").read_text(encoding="utf-8").splitlines()
    posts = [Post.model_validate_json(line) for line in lines]
    assert len(posts) > 200
    accounts = {p.account for p in posts}
    assert {"AsvakaNews", "PanjshirProvin1"} <= accounts
    assert sum(1 for p in posts if p.repost_of) == 2


def test_sample_accounts_registry_loads() -> None:
    registry = AccountRegistry.load(sample_file("accounts.yaml"))
    assert registry.get("twitter", "@asvakanews") is not None
    assert registry.home_province("twitter", "PanjshirProvin1") == "Panjshir"
