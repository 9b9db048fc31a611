from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The small crypto test group is refused unless a process says it is a test process.
os.environ.setdefault("BALLOT_ALLOW_TEST_GROUP", "1")

# CI runs more examples than a developer's quick loop; both are deterministic per seed.
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
