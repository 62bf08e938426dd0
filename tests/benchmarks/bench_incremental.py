"""An incremental publish against the full one it builds on: CPU, wall and peak RSS (prints figures).

A release of N distinct articles is published in full (``bench_release.build``'s corpus:
real articles replicated with edits), each step in a fresh process. Then 1% new articles
(other copies of the same seed) and a few pages that repeat old articles are published as
the flow does on an incremental run, without extraction: ``load_prior`` (the key columns of
the latest release), ``load_index`` (the dedupe index of its articles), ``merge`` and
``publish_release`` with the previous release carried (its parts linked, the parts of the
repeated articles rewritten, GX on the new rows, key checks over all).

    python tests/benchmarks/bench_incremental.py -n 100000
    python tests/benchmarks/bench_incremental.py -n 10000 --new 0.01 --repeats 10

The full run's figure here is the publish alone (stage, GX, write, card, checksums); a real
``dgn run`` adds extraction of every page, so its full run is much longer and the ratio of
whole runs smaller than the ratio printed here.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_release import build, peak_rss_mib, seed_tables  # noqa: E402

NOW = "2026-11-30T12:00:00+08:00"
LATER = "2026-12-01T12:00:00+08:00"


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _usage(started: float, steps: dict, cpu0: float = 0.0) -> dict:
    return {"wall": round(time.perf_counter() - started, 2), "cpu": round(_cpu() - cpu0, 2),
            "peak_rss_mib": peak_rss_mib(), "steps": steps}


def full(work: Path) -> dict:
    import datetime as dt

    from pipeline.publish.release import publish_release
    from pipeline.tables import RELEASED

    started, cpu0 = time.perf_counter(), _cpu()
    tables = {n: work / "old" / f"{n}.parquet" for n in RELEASED}
    result = publish_release(tables, [], {"pages_in": 0}, work / "out", now=dt.datetime.fromisoformat(NOW))
    return {**_usage(started, {}, cpu0), "rows": result.row_counts, "ok": result.validation_ok}


def pick_repeats(work: Path, repeats: int, name: str) -> None:
    """``repeats`` old articles spread over the release, as pages of their own (new page ids):
    copies of released articles, as reprints are. Written to ``work/<name>.parquet``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    old = pq.ParquetFile(work / "old" / "articles.parquet")
    total, per_group = old.metadata.num_rows, old.metadata.row_group(0).num_rows
    picks = [(i * total + total // 2) // repeats for i in range(repeats)]
    again = pa.concat_tables([old.read_row_group(r // per_group).slice(r % per_group, 1) for r in picks])
    again = again.set_column(again.schema.get_field_index("page_id"), again.schema.field("page_id"),
                             pa.array([f"{name}-{i}" for i in range(again.num_rows)], pa.string()))
    pq.write_table(again, work / f"{name}.parquet")


def incremental(work: Path, batch: str) -> dict:
    """The new rows of ``work/<batch>/`` plus the pages of ``work/<batch>-repeats.parquet``,
    as the flow publishes them."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.dedupe.history import load_index
    from pipeline.publish.release import publish_release
    from pipeline.run.incremental import load_prior, merge
    from pipeline.tables import RELEASED

    new = {n: pq.read_table(work / batch / f"{n}.parquet") for n in RELEASED}
    again = pq.read_table(work / f"{batch}-repeats.parquet")
    new["articles"] = pa.concat_tables([new["articles"], again.cast(new["articles"].schema)])
    del again

    started, cpu0 = time.perf_counter(), _cpu()
    steps = {}

    def step(name, t0):
        steps[name] = round(time.perf_counter() - t0, 2)
        return time.perf_counter()

    t = time.perf_counter()
    prior = load_prior(work / "out")
    t = step("load_prior", t)
    index = load_index(work / "out")
    t = step("load_index", t)
    tables, rejected, carry = merge(prior, new, [])
    t = step("merge", t)
    later = dt.datetime.fromisoformat(LATER) + dt.timedelta(days=int(batch[3:] or 0))
    result = publish_release(tables, rejected, {"pages_in": 0}, work / "out", now=later,
                             carried_rejected=prior.rejected, carry=carry)
    step("publish", t)
    manifest = json.loads((result.path / "manifest.json").read_text("utf-8"))
    written = manifest["validation"]["parts_written"]
    return {**_usage(started, steps, cpu0), "rows": result.row_counts, "ok": result.validation_ok,
            "index": len(index), "repeated": len(carry.duplicate_add),
            "parts_written": {k: len(v) for k, v in written.items()},
            "parts": {k: len(v) for k, v in manifest["parts"].items()}}


def _child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="articles of the full release")
    ap.add_argument("--new", type=float, default=0.01, help="new articles, a share of n")
    ap.add_argument("--repeats", type=int, default=10, help="new pages that repeat old articles")
    ap.add_argument("--work", type=Path)
    ap.add_argument("--seed", type=Path)
    ap.add_argument("--child", choices=("full", "incremental"), help=argparse.SUPPRESS)
    ap.add_argument("--batch", default="new", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="dgn-bench-incremental-"))
    if args.child == "full":
        print(json.dumps(full(work)))
        return 0
    if args.child == "incremental":
        print(json.dumps(incremental(work, args.batch)))
        return 0
    seed = args.seed or work / "seed"
    if not (seed / "articles.parquet").is_file():
        seed_tables(seed)
    per_copy = len(__import__("pyarrow.parquet", fromlist=["x"]).read_table(seed / "articles.parquet"))
    n_new = max(1, round(args.n * args.new))
    copies = -(-args.n // per_copy)
    for folder, n, first in (("old", args.n, 0), ("new", n_new, copies + 1),
                             ("new1", n_new, copies + 2 + -(-n_new // per_copy))):
        if not (work / folder / "articles.parquet").is_file():
            build(seed, n, work / folder, first_copy=first)
    for batch in ("new", "new1"):
        pick_repeats(work, args.repeats, f"{batch}-repeats")
    subprocess.run(["rm", "-rf", str(work / "out")], check=True)
    a = _child(["--child", "full", "--work", str(work)])
    runs = [_child(["--child", "incremental", "--work", str(work), "--batch", b]) for b in ("new", "new1")]
    print(json.dumps({"full": a, "incremental": runs}, indent=1), file=sys.stderr)
    print("| run | articles after | new articles | pages repeating old ones | wall s | CPU s | CPU % of full | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| full | {a['rows']['articles']:,} | – | – | {a['wall']} | {a['cpu']} | 100% | {a['peak_rss_mib']:,} MiB |")
    before = a["rows"]["articles"]
    for name, b in zip(("incremental (dedupe index signed)", "incremental (index cached)"), runs):
        print(f"| {name} | {b['rows']['articles']:,} | {b['rows']['articles'] - before:,} | {args.repeats} | "
              f"{b['wall']} | {b['cpu']} | {b['cpu'] / a['cpu']:.1%} | {b['peak_rss_mib']:,} MiB |")
        before = b["rows"]["articles"]
    for b in runs:
        print(f"\nsteps (wall s): {b['steps']}; parts written {b['parts_written']} of {b['parts']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
