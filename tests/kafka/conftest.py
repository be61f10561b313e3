"""The session's Apache Kafka broker: started once, skipped with the reason where it cannot run.

Kafka needs Java 17+ and, until its jars are cached, Maven; a machine without them skips these tests
and says which is missing. The work directory lives under pytest's tmp dir, so the broker's log
(kafka.log) stays there for a failed run to be read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from districtwatch.kafka.apache_broker import KafkaBroker, kafka_available


@pytest.fixture(scope="session")
def kafka_runs_here() -> None:
    """Skip, with the reason, where Apache Kafka cannot run; alone for tests that start their own broker."""
    reason = kafka_available()
    if reason is not None:
        pytest.skip(f"Apache Kafka cannot run here: {reason}")


@pytest.fixture(scope="session")
def kafka(kafka_runs_here: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """The session's broker, two partitions per auto-created topic; the restart test bounces it."""
    with KafkaBroker(data_dir=tmp_path_factory.mktemp("kafka"), partitions=2) as broker:
        yield broker
