"""districtwatch: tells people, within seconds, when a district changes hands.

The package holds the wiring and shared services; the Faust agents live in ``districtwatch.agents``
(the repo's ``agents/`` folder) and the topic records in ``districtwatch.schemas`` (``schemas/``).
"""

from __future__ import annotations

__version__ = "0.1.0"
