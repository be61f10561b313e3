"""Table recovery that seeks stream partitions to their committed offsets before resuming them.

Why this exists: when recovery ends, Faust 0.15.3 resumes the stream partitions first and seeks them
to their committed offsets second. A worker restarted after a crash, with records waiting past its
committed offsets, can fetch a batch in between; the seek then resets the consumer's read offsets
while that batch is still being handed to the agents, the batch moves them forward again, and the
records the seek fetches anew compare as already read and are dropped. We saw it as alerts that a
restarted notify worker never delivered (``tests/integration/test_notify_worker.py``), records lost
for good. Holding the resume until the seek is done closes the window: nothing is fetched for a
stream partition until its position and read offset agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from faust.tables import TableManager
from faust.tables.recovery import Recovery
from faust.types import TP


class SeekBeforeResumeRecovery(Recovery):
    """Faust's recovery with the stream partitions resumed only after the seek to committed offsets."""

    async def _resume_streams(self, generation_id: int = 0) -> None:
        with self._resume_after_seek():
            await super()._resume_streams(generation_id=generation_id)

    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        with self._resume_after_seek():
            await super().on_recovery_completed(generation_id=generation_id)

    @contextmanager
    def _resume_after_seek(self) -> Iterator[None]:
        """Within the block, partitions asked to resume wait for the next seek to finish."""
        consumer: Any = self.app.consumer
        resume = consumer.resume_partitions
        seek = consumer.perform_seek
        held: set[TP] = set()

        def hold(partitions: Iterable[TP]) -> None:
            held.update(partitions)

        def release() -> None:
            if held:
                resume(set(held))
                held.clear()

        async def seek_then_resume() -> None:
            try:
                await seek()
            finally:
                release()

        consumer.resume_partitions = hold
        consumer.perform_seek = seek_then_resume
        try:
            yield
        finally:
            del consumer.resume_partitions  # back to the class's methods
            del consumer.perform_seek
            release()  # a block that resumed without seeking still resumes


class SeekBeforeResumeTableManager(TableManager):
    """The table manager whose recovery is :class:`SeekBeforeResumeRecovery`."""

    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = SeekBeforeResumeRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
