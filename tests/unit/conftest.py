"""Fixtures of the unit tests: one extractor for the session, since loading the gazetteer and the keyword
pack is the slow part and every extraction test reads with the same bundled data."""

from __future__ import annotations

import pytest

from districtwatch.core.extraction import Extractor


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor.load()
