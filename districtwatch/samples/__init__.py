"""The bundled sample stream (20 Aug 2021, Baghlan), its account registry, baseline and notifier config."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_file(name: str) -> Path:
    """Path of a file bundled in districtwatch/samples."""
    return Path(str(resources.files("districtwatch.samples").joinpath(name)))
