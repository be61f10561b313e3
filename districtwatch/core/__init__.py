"""Pure domain code: no Faust, aiokafka or mode import (tests/unit/test_layering.py)."""
