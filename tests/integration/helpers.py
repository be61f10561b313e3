"""Reading and writing the test's topics through the real broker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from districtwatch.cli import replay_file
from districtwatch.codec import decode
from districtwatch.kafka import read_topic
from districtwatch.settings import Settings

Record = TypeVar("Record", bound=BaseModel)


def replay(settings: Settings, path: Path) -> int:
    return replay_file(settings, path, progress=False)


def read_all(settings: Settings, stage: str, model: type[Record]) -> list[Record]:
    async def collect() -> list[Record]:
        assert settings.bootstrap_servers
        return [decode(value, model) async for value in read_topic(settings.bootstrap_servers, settings.topic(stage))]

    return asyncio.run(collect())
