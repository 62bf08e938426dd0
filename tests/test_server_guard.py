"""Issue 14, item 9: a killed run leaves nothing running. `dgn run` without a Prefect API
starts a temporary server; after kill -9 of the run that server ends too."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline.flows import sample_dir

pytestmark = pytest.mark.slow


def _guarded(proc: psutil.Process) -> bool:
    """A child started through the guard (children come and go while the run starts up)."""
    try:
        return "pipeline.run.server_guard" in " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def test_the_temporary_server_dies_with_a_killed_run(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(sample_dir(), pages)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "home"), DGN_FAULT_DELAY_CLEAN="120", DGN_FAULT_MARKS=str(tmp_path))
    run = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(pages), "--output", str(tmp_path / "out"),
                            "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           cwd=Path(__file__).resolve().parents[1])
    try:
        deadline = time.monotonic() + 120
        servers = []
        while time.monotonic() < deadline and not servers:
            time.sleep(0.5)
            assert run.poll() is None, "the run ended before it could be killed"
            servers = [c for c in psutil.Process(run.pid).children(recursive=True) if _guarded(c)]
        assert servers, "the run did not start its temporary server through the guard"
        while time.monotonic() < deadline and not list(tmp_path.glob("*clean*")):
            time.sleep(0.5)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(10)
        gone, alive = psutil.wait_procs(servers, timeout=10)
        assert not alive, [p.cmdline() for p in alive]
    finally:
        if run.poll() is None:
            run.kill()
