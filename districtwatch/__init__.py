"""districtwatch: tells people, within seconds, when a district changes hands.

The root holds the wiring and shared services (app, topics, settings, codec, errors, metrics, web);
``core/`` the pure domain, ``kafka/`` every Kafka concern, ``ingest/``, ``notifiers/`` and ``cli/`` the
edges, ``testing/`` the harness. The Faust agents live in ``districtwatch.agents`` (the repo's
``agents/`` folder) and the topic records in ``districtwatch.schemas`` (``schemas/``).
"""

from __future__ import annotations

__version__ = "0.1.0"
