#!/usr/bin/env python3
"""The flow on a Dask cluster over loopback against the local run, on one machine.

Builds N pages as ``bench_flow.py`` does, then times `run()` locally and on a
``distributed.LocalCluster`` (``--workers`` processes, one thread each, started before the
clock, as is the temporary Prefect server), alternating ``--rounds`` times, each into a fresh
output folder, and checks that both releases hold the same data files (SHA256 of every
Parquet and CSV file).

    python tests/benchmarks/bench_dask.py --pages 300 --workers 2
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def data_sums(release: Path) -> dict[str, str]:
    files = sorted([*(release / "data").glob("*.parquet"), *(release / "csv").glob("*.csv")])
    return {f.relative_to(release).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_flow import build

    import distributed

    from pipeline.flows import run
    from pipeline.run import server_guard

    work = Path(tempfile.mkdtemp(prefix="dgn-dask-"))
    try:
        build(work / "pages", args.pages)
        times: dict[str, list[float]] = {"local": [], "dask": []}
        sums: dict[str, dict] = {}
        # the run's Prefect API (the temporary server unless PREFECT_API_URL is set) and the
        # cluster start before the clock: both modes are timed on the same footing
        with server_guard.run_api(), distributed.LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            for r in range(args.rounds):
                for mode in ("local", "dask"):
                    out = work / f"out-{mode}-{r}"
                    t0 = time.perf_counter()
                    s = run([work / "pages"], out, min_topic_score=0.0,
                            dask_address=cluster.scheduler_address if mode == "dask" else None)
                    times[mode].append(time.perf_counter() - t0)
                    sums[mode] = data_sums(Path(s.release))
                    print(f"{mode} round {r + 1}: {times[mode][-1]:.1f} s; {s.line()}", flush=True)
        local, dask = min(times["local"]), min(times["dask"])
        print(f"local {local:.1f} s, dask {dask:.1f} s over loopback with {args.workers} workers: "
              f"dask runs at {local / dask:.2f}x the local speed; data files identical: {sums['local'] == sums['dask']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
