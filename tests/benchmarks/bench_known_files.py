"""What it costs to learn that N input pages are all in the release, with and without the files
known from an earlier run (``pipeline.ingest.known``): the "nothing new" check before a run,
and the listing an incremental run does before its shards.

    python tests/benchmarks/bench_known_files.py -n 100000

Builds N distinct pages (``bench_flow.build``), takes their page ids as the release's, then
times in alternating rounds, in this process: listing the files; the check reading and hashing
every page; the check with the known files (stat only). The pages were just written, so they
are in the page cache: reading them from disk costs more than shown.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_flow import build  # noqa: E402

from pipeline.ingest import discover, page_id, read_source  # noqa: E402
from pipeline.ingest.known import KnownFiles  # noqa: E402
from pipeline.run.incremental import unchanged_pages  # noqa: E402

OPTIONS = {"bench": 1}


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dgn-known-"))
    try:
        pages = work / "pages"
        build(pages, args.n, distinct=True)
        files, _ = discover([pages])
        known = KnownFiles(work / "out", OPTIONS)
        known.record((f, tuple(page_id(p) for p in read_source(f))) for f in files)
        known.save(files)
        seen = frozenset(i for ids in known.pages.values() for i in ids)
        size = sum(f.size for f in files)
        print(f"{len(files)} files, {size / 2**20:.0f} MiB, {len(seen)} page ids; "
              f"cache {(work / 'out' / '.cache' / 'files.parquet').stat().st_size / 2**20:.1f} MiB", flush=True)
        for r in range(args.rounds):
            _, w, c = timed(lambda: discover([pages]))
            print(f"round {r + 1}: list the files            {w:6.2f} s wall {c:6.2f} s CPU", flush=True)
            n, w, c = timed(lambda: unchanged_pages([str(pages)], seen))
            print(f"round {r + 1}: read and hash every page  {w:6.2f} s wall {c:6.2f} s CPU ({n} unchanged)", flush=True)
            n, w, c = timed(lambda: unchanged_pages([str(pages)], seen, KnownFiles.load(work / "out", OPTIONS)))
            print(f"round {r + 1}: known files (stat only)   {w:6.2f} s wall {c:6.2f} s CPU ({n} unchanged)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
