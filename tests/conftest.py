import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
BENCH = SHARED / "bench"


@pytest.fixture(scope="session")
def prefect_harness():
    """One throw-away Prefect server (SQLite in a temp folder) for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_release(tmp_path_factory, prefect_harness):
    """The flow run once on the bundled sample pages; tests read its release."""
    from pipeline.flows import run

    out = tmp_path_factory.mktemp("out")
    summary = run(None, out)
    return summary, Path(summary.release), out
