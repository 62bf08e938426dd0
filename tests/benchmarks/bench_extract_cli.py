"""`dgn extract` as a user runs it (the CLI, a new process, all its cores) against trafilatura's
extraction of the same pages, in one run, passes alternated so that load hits both.

Not a test (pytest does not collect this folder's file name pattern). Usage:
    python tests/benchmarks/bench_extract_cli.py [BENCH_DIR] [--rounds R] [--copies K]
        [--processes N [N ...]] [--dgn PATH] [--before PATH]

Passes alternate: a trafilatura pass, a `dgn extract --jsonl PAGES…` pass, a trafilatura
pass, … ending with trafilatura, so that every dgn pass has a trafilatura pass on either
side (with several variants, each round has a dgn pass of each, and the variants take turns
at going first, as the load drifts). Trafilatura runs in this process, one core, as its users call it (`extract` on the
file's bytes, read inside the timing). `dgn extract` is timed from the start of its process
to its end (start-up, imports and its worker processes included), its output written to a
scratch file; its CPU is that of the process and its workers (RUSAGE_CHILDREN). Pages/s is
pages over wall seconds, the issue's measure; pages per CPU second is given beside it, since
on a shared machine the wall figure also says how much of the cores the others left.
Pages: those of bench_extract_vs_peers.py (the bench's HTML pages and the seed dumps), each
given K times (``--copies``) to both.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_extract_vs_peers import REPO, pages  # noqa: E402


def trafilatura_pass(paths: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of trafilatura's extraction over the files."""
    import trafilatura

    w0, c0 = time.perf_counter(), time.process_time()
    for p in paths:
        with open(p, "rb") as f:
            trafilatura.extract(f.read())
    return time.perf_counter() - w0, time.process_time() - c0


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def dgn_pass(cmd: list[str], paths: list[str], out: str) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its workers) of `dgn extract` over the files."""
    c0 = _children_cpu()
    w0 = time.perf_counter()
    with open(out, "wb") as f:
        subprocess.run(cmd + paths, stdout=f, check=True)
    return time.perf_counter() - w0, _children_cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(REPO.parent / "shared" / "bench"))
    ap.add_argument("--rounds", type=int, default=3, help="passes of each dgn variant")
    ap.add_argument("--copies", type=int, default=1, help="times each page is given in a pass")
    ap.add_argument("--processes", type=int, nargs="+", default=[-1],
                    help="dgn extract --processes, one variant a value (-1: its default, one a core); "
                         "e.g. --processes -1 0 times all cores and one process")
    ap.add_argument("--dgn", default=str(Path(sys.executable).with_name("dgn")), help="the dgn program")
    ap.add_argument("--before", help="another dgn program (an older version) timed as `extract --jsonl` each round")
    a = ap.parse_args()
    paths = [str(p) for p in pages(Path(a.bench))] * a.copies
    variants = {}
    for n in a.processes:
        cmd = [a.dgn, "extract", "--jsonl", "--no-progress"] + (["--processes", str(n)] if n >= 0 else [])
        variants["dgn extract" + (f" --processes {n}" if n >= 0 else "")] = cmd
    if a.before:
        variants["before: dgn extract"] = [a.before, "extract", "--jsonl"]
    import trafilatura

    trafilatura.extract(Path(paths[0]).read_bytes())  # its import and first-call set-up outside the timing
    tw = tc = 0.0
    t_passes = 0
    dgn = {name: [0.0, 0.0] for name in variants}
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.jsonl")
        names = list(variants)
        for r in range(a.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:  # each variant first in turn
                cmd = variants[name]
                w, c = trafilatura_pass(paths)
                tw, tc, t_passes = tw + w, tc + c, t_passes + 1
                print(json.dumps({"round": r, "trafilatura_wall_s": round(w, 2), "cpu_s": round(c, 2)}), flush=True)
                w, c = dgn_pass(cmd, paths, out)
                dgn[name][0] += w
                dgn[name][1] += c
                print(json.dumps({"round": r, name + " wall_s": round(w, 2), "cpu_s": round(c, 2),
                                  "cpu_pct": round(100 * c / w)}), flush=True)
                with open(out, encoding="utf-8") as f:
                    lines = sum(1 for _ in f)
                assert lines == len(paths), f"{name} printed {lines} lines for {len(paths)} files"
        w, c = trafilatura_pass(paths)
        tw, tc, t_passes = tw + w, tc + c, t_passes + 1
        print(json.dumps({"round": "last", "trafilatura_wall_s": round(w, 2), "cpu_s": round(c, 2)}), flush=True)
    n = len(paths)
    t_rate, t_cpu_rate = n * t_passes / tw, n * t_passes / tc
    print(json.dumps({"pages": n, "rounds": a.rounds, "cores": os.cpu_count(),
                      "load_avg_1min_before_after": [round(load0[0], 1), round(os.getloadavg()[0], 1)]}))
    print(json.dumps({"extractor": "trafilatura", "pages_per_s": round(t_rate, 1),
                      "pages_per_cpu_s": round(t_cpu_rate, 1), "cpu_pct": round(100 * tc / tw)}))
    for name, (w, c) in dgn.items():
        rate, cpu_rate = n * a.rounds / w, n * a.rounds / c
        print(json.dumps({"extractor": name, "pages_per_s": round(rate, 1), "pages_per_cpu_s": round(cpu_rate, 1),
                          "cpu_pct": round(100 * c / w)}))
        print(json.dumps({"ratio": f"{name} / trafilatura", "pages_per_s": round(rate / t_rate, 2),
                          "pages_per_cpu_s": round(cpu_rate / t_cpu_rate, 2)}))


if __name__ == "__main__":
    main()
