#!/usr/bin/env python3
"""The flow on a Dask cluster over loopback against the local run, on one machine.

Builds N pages as ``bench_flow.py`` does, then times `run()` locally and on a
``distributed.LocalCluster`` (``--workers`` processes, one thread each, started before the
clock, as is the temporary Prefect server), alternating ``--rounds`` times, each into a fresh
output folder, and checks that the releases hold the same data files (SHA256 of every
Parquet and CSV file).

The workers are spawned as README's "On a Dask cluster" sets a real one up: without the
``MALLOC_TRIM_THRESHOLD_`` that Dask's nanny puts in a worker's environment by default (the
shard work costs about 10% more CPU with it). ``--nanny-env default`` spawns them with it;
``--nanny-env both`` runs a second cluster so spawned and times both in each round. (A nanny
also leaves those variables in the environment of the process that started it, where the local
run's worker processes would inherit them: the bench puts its environment back.)

    python tests/benchmarks/bench_dask.py --pages 300 --workers 2 --rounds 2
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


LEAN_NANNY = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def data_sums(release: Path) -> dict[str, str]:
    files = sorted(p for p in [*(release / "data").rglob("*.parquet"), *(release / "csv").rglob("*.csv")] if p.is_file())
    return {f.relative_to(release).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--nanny-env", choices=("lean", "default", "both"), default="lean",
                    help="the workers' environment: without MALLOC_TRIM_THRESHOLD_ (lean), Dask's default, or both")
    args = ap.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_flow import build

    from contextlib import ExitStack

    import dask
    import distributed

    from pipeline.flows import run
    from pipeline.run import server_guard

    envs = ["lean", "default"] if args.nanny_env == "both" else [args.nanny_env]
    modes = ["local", *(f"dask-{e}" for e in envs)]
    work = Path(tempfile.mkdtemp(prefix="dgn-dask-"))
    try:
        build(work / "pages", args.pages)
        times: dict[str, list[float]] = {m: [] for m in modes}
        sums: dict[str, dict] = {}
        # the run's Prefect API (the temporary server unless PREFECT_API_URL is set) and the
        # clusters start before the clock: every mode is timed on the same footing
        with ExitStack() as stack:
            stack.enter_context(server_guard.run_api())
            clusters = {}
            environ = dict(os.environ)
            for e in envs:
                with dask.config.set(LEAN_NANNY if e == "lean" else {}):
                    clusters[f"dask-{e}"] = stack.enter_context(distributed.LocalCluster(
                        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None))
            # a nanny leaves its workers' variables in this process's environment, where the
            # local run's worker processes would inherit them
            os.environ.clear()
            os.environ.update(environ)
            for r in range(args.rounds):
                for mode in modes:
                    out = work / f"out-{mode}-{r}"
                    t0 = time.perf_counter()
                    s = run([work / "pages"], out, min_topic_score=0.0,
                            dask_address=clusters[mode].scheduler_address if mode != "local" else None)
                    times[mode].append(time.perf_counter() - t0)
                    sums[mode] = data_sums(Path(s.release))
                    print(f"{mode} round {r + 1}: {times[mode][-1]:.1f} s; {s.line()}", flush=True)
        local = min(times["local"])
        for mode in modes[1:]:
            best = min(times[mode])
            print(f"local {local:.1f} s, {mode} {best:.1f} s over loopback with {args.workers} workers: "
                  f"dask runs at {local / best:.2f}x the local speed; data files identical: "
                  f"{sums['local'] == sums[mode]}")
        pairs = [(times["local"][r], times[m][r]) for r in range(args.rounds) for m in modes[1:2]]
        print("per round (local / " + modes[1] + "): " + ", ".join(f"{a / b:.2f}x" for a, b in pairs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
