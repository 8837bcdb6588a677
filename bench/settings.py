"""Settings of the benchmark only: the product's settings, plus the floor
views' URLconf. Never used by the portal itself (see bench/run)."""

from ideaportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
