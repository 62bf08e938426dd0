"""Scale-out: the shard tasks on a Dask cluster give the same release as the local run, and
the cluster's workers report to the run's server.

One Dask run serves both tests (a run on a local cluster costs two worker processes' start-up
and the flow): `dgn run`'s Python API in a script of its own, without ``PREFECT_API_URL`` (so
that the run starts its temporary server), on a ``LocalCluster`` of two worker processes."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.run.assemble import TABLES

WORKER_SERVERS = """
import os, sys, psutil, distributed
from pipeline.flows import run

def servers():
    return [c.pid for c in psutil.Process().children(recursive=True)
            if any(w in " ".join(c.cmdline()) for w in ("uvicorn", "server_guard"))]

if __name__ == "__main__":
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        summary = run(None, sys.argv[1], dask_address=c.scheduler_address)
        with distributed.Client(c) as client:
            found = sum(len(v) for v in client.run(servers).values())
    print("published", summary.published, "worker servers", found)
"""


@pytest.fixture(scope="module")
def dask_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """The script's run on the bundled sample pages: its output and its release folder."""
    pytest.importorskip("distributed")
    tmp = tmp_path_factory.mktemp("dask")
    script = tmp / "workers.py"
    script.write_text(WORKER_SERVERS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp / "home"), PREFECT_LOGGING_LEVEL="ERROR")
    r = subprocess.run([sys.executable, str(script), str(tmp / "out")], env=env, capture_output=True, text=True,
                       timeout=900, cwd=Path(__file__).resolve().parents[1])
    assert "published True" in r.stdout, r.stdout + r.stderr[-3000:]
    return r, tmp / "out" / "releases" / (tmp / "out" / "releases" / "LATEST").read_text().strip()


@pytest.mark.slow
def test_dask_release_is_byte_identical(sample_release, dask_run):
    _, local, _ = sample_release
    _, remote = dask_run
    for t in TABLES:
        for sub, ext in (("data", "parquet"), ("csv", "csv")):
            part = f"{t}.{ext}/part-00000.{ext}"
            assert (local / sub / part).read_bytes() == (remote / sub / part).read_bytes(), t


@pytest.mark.slow
def test_dask_workers_report_to_the_runs_server_and_start_none(dask_run):
    """Issue 16: without PREFECT_API_URL the run starts one temporary server; each Dask worker
    started one of its own (and timed out under load) before the run passed its URL on."""
    r, _ = dask_run
    assert "published True worker servers 0" in r.stdout, r.stdout + r.stderr[-3000:]
