"""Which partition a key goes to: aiokafka's own default partitioner, the one every producer here uses.

The control stage uses it to tell which districts' claims land on the partitions this worker holds. It
calls the library rather than copying its hash: murmur2 is signed and the producer masks the sign bit
before the modulo (as the Java client does); a bare ``murmur2(key) % partitions`` agrees only where the
count is a power of two.
"""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner

#: The worker sets no ``producer_partitioner``, so Faust's producer uses aiokafka's default too, as do
#: ``clients.produce`` and the filter stage's producer.
_partitioner = DefaultPartitioner()


def partition_of(key: bytes, partitions: int) -> int:
    """The partition a producer sends ``key`` to on a topic of ``partitions`` partitions."""
    partition: int = _partitioner(key, list(range(partitions)), [])
    return partition
