"""Scale-out: the shard tasks on a Dask cluster give the same release as the local run."""
import pytest

from pipeline.run.assemble import TABLES
from pipeline.flows import run


@pytest.mark.slow
def test_dask_release_is_byte_identical(prefect_harness, sample_release, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, local, _ = sample_release
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        summary = run(None, tmp_path / "out", dask_address=cluster.scheduler_address)
    remote = tmp_path / "out" / "releases" / summary.version
    for t in TABLES:
        for sub, ext in (("data", "parquet"), ("csv", "csv")):
            part = f"{t}.{ext}/part-00000.{ext}"
            assert (local / sub / part).read_bytes() == (remote / sub / part).read_bytes(), t


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


@pytest.mark.slow
def test_dask_workers_report_to_the_runs_server_and_start_none(tmp_path):
    """Issue 16: without PREFECT_API_URL the run starts one temporary server; each Dask worker
    started one of its own (and timed out under load) before the run passed its URL on."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("distributed")
    script = tmp_path / "workers.py"
    script.write_text(WORKER_SERVERS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "home"), PREFECT_LOGGING_LEVEL="ERROR")
    r = subprocess.run([sys.executable, str(script), str(tmp_path / "out")], env=env, capture_output=True, text=True,
                       timeout=900, cwd=Path(__file__).resolve().parents[1])
    assert "published True worker servers 0" in r.stdout, r.stdout + r.stderr[-3000:]
