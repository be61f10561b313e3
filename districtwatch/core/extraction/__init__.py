"""Claim extraction: which district changed hands in a post, who took it from whom, and whether hedged.

Pure code (no Faust, no I/O beyond loading the data files): the pipeline's filter stage calls
``Extractor.is_relevant`` on every post and its extract stage calls ``Extractor.extract`` on the rest.
Places come from a gazetteer JSON and words from a keyword pack YAML, both loaded by name, so another
conflict needs new data files and no new code.
"""

from __future__ import annotations

from districtwatch.core.extraction.claims import Ambiguous, ExtractedClaim, Extraction, Extractor
from districtwatch.core.extraction.gazetteer import (
    DistrictRecord,
    Gazetteer,
    PlaceRecord,
    ProvinceRecord,
    load_gazetteer,
)
from districtwatch.core.extraction.keywords import KeywordPack, load_keyword_pack
from districtwatch.core.extraction.normalize import normalize, skeleton

__all__ = [
    "Ambiguous",
    "DistrictRecord",
    "ExtractedClaim",
    "Extraction",
    "Extractor",
    "Gazetteer",
    "KeywordPack",
    "PlaceRecord",
    "ProvinceRecord",
    "load_gazetteer",
    "load_keyword_pack",
    "normalize",
    "skeleton",
]
