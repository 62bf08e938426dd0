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
            assert (local / sub / f"{t}.{ext}").read_bytes() == (remote / sub / f"{t}.{ext}").read_bytes(), t
