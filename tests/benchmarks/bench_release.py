"""Publish and validate a release of N distinct articles: peak RSS and time (prints figures).

The articles are those of a real small run (the package's sample pages and the shared bench's
pages, cleaned and extracted as ``dgn run`` does, without Prefect), replicated with edits: each
copy gets its own article ids, page ids, a numbered headline and a numbered first paragraph,
and its child rows (people, statistics, quotes, ...) follow with their article's new id and
edited texts, so every row is distinct. The tables are written in key order as Parquet files,
as the flow hands them over; then, in a fresh process each, ``publish_release`` validates
and writes them into an empty output folder, and the process's peak RSS (``VmHWM``), CPU and
wall time are printed (``--where``: also the package's stack at the highest RSS sample).

    python tests/benchmarks/bench_release.py -n 10000 30000 100000
    python tests/benchmarks/bench_release.py -n 10000 --mode tables   # tables in memory, as before
    python tests/benchmarks/bench_release.py -n 10000 --code /tmp/old  # another checkout's pipeline/
    python tests/benchmarks/bench_release.py -n 30000 --quarantine 50   # rows quarantined: two passes

``--mode files`` (default) passes the Parquet files (``TableSource``), ``--mode tables`` reads
them into Arrow first (what the flow passed before the release streamed).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
GLOBS = ["daniel_dev/html/*.html", "cwced_69/original/*.html", "magic_html_zh/article/htmls/*.html"]


def seed_tables(folder: Path) -> None:
    """Tables of a real small run (sample pages and bench pages), as Parquet in ``folder``."""
    import pyarrow.parquet as pq

    from pipeline.flows import sample_dir
    from pipeline.ingest import discover, shard
    from pipeline.run.assemble import build_tables
    from pipeline.run.stages import process_files
    from pipeline.tables import RELEASED, to_arrow

    inputs = [str(sample_dir()), *(str(p) for g in GLOBS for p in sorted(BENCH.glob(g)))]
    files, _ = discover(inputs)
    kept = []
    for s in shard(files):
        kept += process_files(s).kept
    tables, _ = build_tables(kept)
    folder.mkdir(parents=True, exist_ok=True)
    for n in RELEASED:
        pq.write_table(to_arrow(n, tables[n]), folder / f"{n}.parquet")


def _edit(value, copy: int, width: int):
    if isinstance(value, str) and value:
        return f"{value}（{copy:0{width}d}）"
    return value


def build(seed: Path, n: int, out: Path, first_copy: int = 0, quarantine: int = 0) -> dict[str, int]:
    """N distinct articles (seed articles replicated with edits) and their child rows, each
    table one Parquet file in key order, written a copy at a time. Copies are numbered from
    ``first_copy``: another number gives other articles (``bench_incremental``'s new pages).
    ``quarantine``: the first article of every such copy ends in a boilerplate line, which
    validation quarantines (its child rows follow it), so that the second pass runs."""
    import hashlib

    import pyarrow.parquet as pq

    from pipeline.publish.stream import ParquetSink
    from pipeline.tables import RELEASED, TABLES, to_arrow

    src = {t: pq.read_table(seed / f"{t}.parquet").to_pylist() for t in RELEASED}
    per_copy = len(src["articles"])
    copies = -(-n // per_copy)
    width = len(str(first_copy + copies))
    out.mkdir(parents=True, exist_ok=True)
    writers = {t: ParquetSink(out / f"{t}.parquet", TABLES[t].schema, rows=8192, options={"compression": "lz4"})
               for t in RELEASED}  # row groups of 8,192 rows, as a spool of real shards has
    counts = dict.fromkeys(RELEASED, 0)
    made = 0
    orgs: dict[str, dict] = {}
    for c in range(first_copy, first_copy + copies):
        take = src["articles"][: min(per_copy, n - made)]
        made += len(take)
        ids = {}
        rows: dict[str, list[dict]] = {t: [] for t in RELEASED}
        for a in take:
            new_id = f"{c:06x}" + hashlib.sha256(f"{c}|{a['article_id']}".encode()).hexdigest()[:14]
            ids[a["article_id"]] = new_id
            body = f"第{c}号稿件。" + a["body"]
            if quarantine and c % quarantine == 0 and a is take[0]:
                body += "\n网站地图"
            rows["articles"].append({**a, "article_id": new_id, "title": _edit(a["title"], c, width), "body": body,
                                     "char_count": len(body), "page_id": hashlib.sha256(f"{c}|{a['page_id']}".encode()).hexdigest()})
        for t in ("people", "events", "statistics", "documents", "quotes"):
            for r in src[t]:
                if r["article_id"] not in ids:
                    continue
                r = {**r, "article_id": ids[r["article_id"]]}
                if t == "events":
                    r["event_id"] = f"{c:06x}" + r["event_id"][6:]
                for col in ("evidence", "text", "title"):
                    if col in r and t != "people":
                        r[col] = _edit(r[col], c, width)
                rows[t].append(r)
        for o in src["organizations"]:  # names grow with the corpus, a new set every 100 copies
            name = o["name"] if c < 100 else f"{o['name']}{c // 100}"
            e = orgs.setdefault(name, {**o, "name": name, "article_count": 0})
            e["article_count"] += 1
        for t in ("articles", "people", "events", "statistics", "documents", "quotes"):
            if rows[t]:
                table = to_arrow(t, rows[t])
                writers[t].write(table)
                counts[t] += table.num_rows
    org_table = to_arrow("organizations", list(orgs.values()))
    writers["organizations"].write(org_table)
    counts["organizations"] = org_table.num_rows
    for w in writers.values():
        w.close()
    return counts


def peak_rss_mib() -> int:
    """This process's peak RSS: ``VmHWM``, which, unlike ``ru_maxrss``, is not inherited
    across fork and exec from the parent (which built the corpus)."""
    import resource

    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class PeakWhere:
    """Samples the RSS every ``every`` seconds and keeps the main thread's stack (the
    package's frames) at the highest sample: where the peak is, not only how high."""

    def __init__(self, every: float = 0.05):
        import threading

        self.every, self.peak, self.where = every, 0, []
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
        return 0

    def _run(self) -> None:
        import traceback

        while not self._stop.wait(self.every):
            rss = self._rss()
            if rss > self.peak:
                frame = sys._current_frames().get(self._main)
                stack = traceback.extract_stack(frame) if frame else []
                self.peak = rss
                self.where = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack
                              if "/pipeline/" in f.filename][-6:]

    def __enter__(self) -> "PeakWhere":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def child(work: Path, mode: str, code: str | None, where: bool = False) -> None:
    """In a fresh process: publish the tables of ``work/tables`` into ``work/out``; print JSON."""
    import contextlib
    import resource

    if code:
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        sys.path.insert(0, code)
    import datetime as dt

    import pyarrow.parquet as pq

    from pipeline.publish.release import publish_release
    from pipeline.tables import RELEASED

    started = time.perf_counter()
    folder = work / "tables"
    tables = {n: (folder / f"{n}.parquet" if mode == "files" else pq.read_table(folder / f"{n}.parquet"))
              for n in RELEASED}
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    sampler = PeakWhere() if where else contextlib.nullcontext()
    with sampler:
        result = publish_release(tables, [], {"pages_in": 0}, work / "out", now=now)
    took = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": round(took, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
                      "peak_rss_mib": peak_rss_mib(), "rows": result.row_counts,
                      "peak_at": sampler.where if where else None,
                      "ok": result.validation_ok, "quarantined": result.quarantined, "pipeline": str(Path(sys.modules["pipeline"].__file__).parent)}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    ap.add_argument("--mode", choices=("files", "tables"), default="files")
    ap.add_argument("--code", help="a folder holding another pipeline/ (and expectations/) to measure")
    ap.add_argument("--seed", type=Path, help="Parquet tables of a small run (default: made from the bench)")
    ap.add_argument("--work", type=Path)
    ap.add_argument("--where", action="store_true", help="also print the package's stack at the peak RSS")
    ap.add_argument("--quarantine", type=int, default=0, metavar="EVERY",
                    help="one article of every EVERY copies of the seed fails a quarantine expectation")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.mode, args.code, args.where)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="dgn-bench-release-"))
    seed = args.seed or work / "seed"
    if not (seed / "articles.parquet").is_file():
        seed_tables(seed)
    print("| articles | rows (all tables) | quarantined | input | wall s | CPU s | peak RSS |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    for n in args.n:
        run = work / (f"n{n}" + (f"-q{args.quarantine}" if args.quarantine else ""))
        if not (run / "tables" / "articles.parquet").is_file():
            build(seed, n, run / "tables", quarantine=args.quarantine)
        subprocess.run(["rm", "-rf", str(run / "out")], check=True)
        cmd = [sys.executable, __file__, "--child", str(run), "--mode", args.mode]
        if args.code:
            cmd += ["--code", args.code]
        if args.where:
            cmd.append("--where")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            print(f"| {n} | – | – | {args.mode} | failed: {proc.stderr.strip().splitlines()[-1:]} | | |")
            continue
        fig = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"| {n:,} | {sum(fig['rows'].values()):,} | {fig.get('quarantined', '–')} | {args.mode} | {fig['seconds']} | {fig['cpu_seconds']} | "
              f"{fig['peak_rss_mib']:,} MiB |",
              flush=True)
        if fig.get("peak_at"):
            print("    peak at: " + " <- ".join(reversed(fig["peak_at"])), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
