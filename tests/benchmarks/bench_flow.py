#!/usr/bin/env python3
"""End-to-end throughput and memory of the DGN flow, next to trafilatura in the same run.

Builds a corpus of N HTML pages from the shared bench's real pages, replicated with edits
(so most copies are near duplicates of a bench page, as reprints are). Then, in one process:
trafilatura's extraction alone over a sample of the same pages, the full flow (clean,
normalize, extract, dedupe, validate, publish), and an incremental run with 1% new pages.

    python tests/benchmarks/bench_flow.py --pages 5000
    python tests/benchmarks/bench_flow.py --pages 20000
    python tests/benchmarks/bench_flow.py --pages 20000 --distinct   # every page a new article
    python tests/benchmarks/bench_flow.py --memory-phases PAGES_DIR...  # the flow's peak RSS by phase

With ``--distinct`` every paragraph of a copy is replaced by new sentences of about the same
length, made of clauses of the bench's reference texts recombined, so that nearly every page
becomes an article of its own, the tagger meets sentences it has not tagged before, and the
released tables grow with the corpus (the worst case for memory and time).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench"

def bench_pages() -> list[Path]:
    """The real pages of the shared bench: news, blogs, forums and government sites, many encodings."""
    globs = ["daniel_dev/html/*.html", "cwced_69/original/*.html", "magic_html_zh/article/htmls/*.html",
             "gne_tests_unlabelled/**/*.html"]
    return sorted(p for g in globs for p in BENCH.glob(g))


def sentence_pool() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from dedupe_corpus import SENT, bench_bodies

    return [s for b in bench_bodies() for s in SENT.split(b.replace("\n", "")) if 8 <= len(s) <= 120]


def clause_pool() -> list[str]:
    """The clauses of the bench's reference sentences: recombined, they make sentences no page
    had (so neither dedupe nor the tagger's cache of sentences has seen them)."""
    import re

    return sorted({c for s in sentence_pool() for c in re.split("[，,；;、。！？!?]", s) if 4 <= len(c) <= 40})


_TEXT_RUN = re.compile(rb"<(script|style|textarea|title)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|([^<]+)", re.S | re.I)
_DATE_BYTES = re.compile(rb"(?:19|20)\d\d\s*[-/.\xe5\xc4]")  # a year before -, /, . or a CJK 年 lead byte
LONG_RUN = 90  # bytes of a text run that is a paragraph (a headline or a menu entry is shorter)


def new_text(rng, clauses: list[str], chars: int) -> str:
    """About ``chars`` characters of sentences of 2-4 random clauses."""
    out: list[str] = []
    n = 0
    while n < chars:
        s = "，".join(rng.choices(clauses, k=rng.randint(2, 4))) + "。"
        out.append(s)
        n += len(s)
    return "".join(out)


def rewrite_paragraphs(raw: bytes, rng, clauses: list[str]) -> bytes:
    """Every long text run of the page (its paragraphs) replaced by new sentences of about
    the same length, as character references (which read the same in every page encoding);
    the markup, the headline, the short lines and any run with a date are kept."""
    def swap(m: re.Match) -> bytes:
        run = m.group(2)
        if run is None or len(run.strip()) < LONG_RUN or _DATE_BYTES.search(run):
            return m.group(0)
        text = new_text(rng, clauses, max(10, len(run.strip()) // 3))
        return "".join(f"&#{ord(ch)};" for ch in text).encode()

    return _TEXT_RUN.sub(swap, raw)


def build(folder: Path, n: int, start: int = 0, distinct: bool = False) -> list[Path]:
    """N copies cycled over the bench pages, each edited (a number added to its first
    paragraph and a comment), in bytes so that every page keeps its own encoding. With
    ``distinct`` every paragraph of a copy is new text (``rewrite_paragraphs``)."""
    import random

    sources = [p.read_bytes() for p in bench_pages()]
    clauses = clause_pool() if distinct else []
    made: list[Path] = []
    for k in range(start, start + n):
        raw = sources[k % len(sources)]
        mark = f" ({k})".encode()
        if clauses:
            rng = random.Random(k)
            raw = rewrite_paragraphs(raw, rng, clauses)
            if b"</p>" not in raw:
                raw = raw.replace(b"</body>", b"<p>" + mark + b"</p></body>", 1)
        raw = raw.replace(b"</p>", mark + b"</p>", 1).replace(b"</body>", f"<!-- copy {k} --></body>".encode(), 1)
        p = folder / f"{k // 1000:03d}" / f"page_{k:06d}.html"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(raw)
        made.append(p)
    return made


def trafilatura_rate(files: list[Path]) -> tuple[float, float]:
    """trafilatura's extraction alone in this process: pages a second of wall time, and a
    second of CPU time (which other load on the machine does not lower)."""
    import trafilatura

    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        trafilatura.extract(f.read_bytes(), include_comments=False)
    return len(files) / (time.perf_counter() - t0), len(files) / (time.process_time() - c0)


def tree_cpu_seconds() -> float:
    """CPU time of this process and every child alive now (worker processes, the temporary
    Prefect server), user and system."""
    import psutil

    total = 0.0
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def run_cpu_seconds() -> float:
    """CPU time of the process tree so far: ``tree_cpu_seconds`` (this process and its live
    children) plus the children that have ended and been waited for (a run's worker
    processes and temporary server end with it)."""
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return tree_cpu_seconds() + ended.ru_utime + ended.ru_stime


class PhaseClock:
    """Wall and CPU time (process tree) of each phase the flow reports (``pages``, ``publish``)."""

    def __init__(self):
        self.start: dict[str, tuple[float, float]] = {}
        self.spent: dict[str, tuple[float, float]] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = (time.perf_counter(), tree_cpu_seconds())
        self.start.setdefault(phase, now)
        if done == total:
            w0, c0 = self.start[phase]
            self.spent[phase] = (now[0] - w0, now[1] - c0)

    def cpu_percent(self, phase: str) -> float:
        wall, cpu = self.spent.get(phase, (0.0, 0.0))
        return 100 * cpu / wall if wall else 0.0


def shard_phases(profile: bool = False) -> None:
    """The shard function alone (``process_files``, every page kept) over the bench pages in
    this process: CPU a page, by stage, and the tagger's encoder and decoder inside it;
    with ``profile``, cProfile's top functions (which inflate Python calls against numpy
    and onnxruntime)."""
    import collections
    import cProfile
    import pstats

    import pipeline.run.stages as stages
    from pipeline.extract import tagger
    from pipeline.ingest.discover import discover
    from pipeline.run.preflight import result_options

    spent: collections.Counter = collections.Counter()

    def timed(owner, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def wrapper(*a, **k):
            c0 = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.process_time() - c0
        setattr(owner, name, wrapper)

    model = tagger._model()
    for owner, name, label in [(stages, "to_document", "ingest"), (stages, "_clean", "clean"),
                               (stages, "normalize_document", "normalize"), (stages, "score_article", "score"),
                               (stages, "prefetch_tags", "tagger (prefetch)"), (stages, "extract_records", "extract"),
                               (stages, "candidate", "dedupe signature"), (tagger, "viterbi", "  of which Viterbi")]:
        timed(owner, name, label)
    session = model.session

    class Timed:
        def run(self, *a):
            c0 = time.process_time()
            try:
                return session.run(*a)
            finally:
                spent["  of which the encoder (onnxruntime)"] += time.process_time() - c0
    files = sorted(discover([str(p) for p in bench_pages()])[0], key=lambda f: f.path)
    model.session = Timed()
    prof = cProfile.Profile() if profile else None
    c0 = time.process_time()
    try:
        if prof:
            prof.enable()
        out = stages.process_files(files, result_options(0.0, 0))
        if prof:
            prof.disable()
    finally:
        model.session = session
    cpu = time.process_time() - c0
    print(f"shard function: {len(files)} pages, {len(out.kept)} kept, CPU {cpu:.2f} s = {1000 * cpu / len(files):.1f} ms "
          f"a page; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    parts = sorted(((k, v) for k, v in spent.items() if k.startswith("  ")), key=lambda kv: -kv[1])
    for label, s in sorted(((k, v) for k, v in spent.items() if not k.startswith("  ")), key=lambda kv: -kv[1]):
        for lab, sec in [(label, s)] + (parts if label.startswith("tagger") else []):
            print(f"  {lab:34s} {1000 * sec / len(files):6.1f} ms a page ({100 * sec / cpu:.0f}%)")
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spool_sort(rows: int, whole: bool, work: Path) -> None:
    """The end of the table phase alone: ``rows`` articles (3,000-character bodies, random
    ids) spooled 200 a shard, then handed on sorted and read back a batch at a time as the
    publish reads them. ``whole``: as before, the spooled table read whole and sorted in
    memory. Prints the peak RSS of the hand-over (VmHWM reset before it) and its CPU time."""
    import hashlib

    import pyarrow.parquet as pq

    from pipeline.publish.stream import TableSource
    from pipeline.run.staging import TableSpool
    from pipeline.tables import sort_by_key

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dgn_rows import article

    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    spool = TableSpool(work / "tables")
    for start in range(0, rows, 200):
        batch = []
        for k in range(start, min(rows, start + 200)):
            aid = hashlib.sha256(str(k).encode()).hexdigest()[:16]
            batch.append(article(aid, body=text[k % 1000:] + str(k), page_id=f"p{k}"))
        spool.add("articles", batch)
    before = _peak_rss_mib()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    c0, t0 = time.process_time(), time.perf_counter()
    if whole:
        for w in spool._writers.values():
            w.close()
        src = TableSource("articles", table=sort_by_key("articles", pq.read_table(spool.folder / "articles.parquet")))
    else:
        src = spool.finish(("articles",))["articles"]
    n = sum(t.num_rows for t in src.batches())
    print(f"spool {'whole' if whole else 'buckets'}: {n} articles, hand-over CPU {time.process_time() - c0:.1f} s, "
          f"wall {time.perf_counter() - t0:.1f} s, peak RSS {_peak_rss_mib():.0f} MiB (spooling {before:.0f} MiB)",
          flush=True)


class PhaseMemory:
    """Peak RSS of the flow's own process in each phase: ``VmRSS`` sampled in a thread every
    ``every`` seconds, the phase taken from the flow's progress calls (``start``, ``shards``,
    ``dedupe``, ``extract`` = the tables' records of the kept pages, ``tables`` = the tables
    written from the staged pages, ``publish``, ``end``); beside it, the peak of the whole
    process tree (the worker processes included).
    With ``trace``, tracemalloc's largest live allocations (by traceback) at each phase change."""

    def __init__(self, every: float = 0.1, trace: int = 0):
        import threading

        self.phase = "start"
        self.peak: dict[str, int] = {}
        self.tree: dict[str, int] = {}
        self.trace = trace
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)
        if trace:
            import tracemalloc

            tracemalloc.start(12)
        self._thread.start()

    @staticmethod
    def rss_kib() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    @staticmethod
    def tree_kib(pid: int | None = None) -> int:
        """RSS of a process and its descendants (shared pages counted once a process)."""
        pid = pid or os.getpid()
        try:
            rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                       if line.startswith("VmRSS:"))
            kids = [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                    for c in (t / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            return 0
        return rss + sum(PhaseMemory.tree_kib(k) for k in kids)

    def _note(self) -> None:
        rss = self.rss_kib()
        self.peak[self.phase] = max(self.peak.get(self.phase, 0), rss)
        self.tree[self.phase] = max(self.tree.get(self.phase, 0), self.tree_kib())

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            self._note()

    def _enter(self, phase: str) -> None:
        if phase == self.phase:
            return
        self._note()
        if self.trace:
            self._top(f"end of {self.phase}")
        self.phase = phase
        self._note()

    def _top(self, label: str) -> None:
        import tracemalloc

        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        stats = snap.statistics("traceback")
        total = sum(s.size for s in stats)
        print(f"--- tracemalloc at {label}: {total / 2**20:.1f} MiB traced, RSS {self.rss_kib() / 1024:.0f} MiB", flush=True)
        for s in stats[:self.trace]:
            frames = [f for f in s.traceback if "/pipeline/" in f.filename] or list(s.traceback)[-1:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-4:]))
            print(f"  {s.size / 2**20:7.1f} MiB {s.count:8d} blocks  {where}", flush=True)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "pages":
            self._enter("shards" if done < total else "dedupe")
        elif phase == "extract":
            self._enter("extract" if done < total else "tables")
        elif phase == "publish":
            self._enter("publish" if done < total else "end")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._note()

    def lines(self, pages: int) -> list[str]:
        out = [f"  {p:8s} {self.peak[p] / 1024:6.0f} MiB (with workers {self.tree[p] / 1024:6.0f} MiB)" for p in ("start", "shards", "dedupe", "extract", "tables", "publish", "end")
               if p in self.peak]
        hwm = _peak_rss_mib()
        return out + [f"  VmHWM    {hwm:6.0f} MiB at {pages} pages"]


def memory_by_phase(inputs: list[str], out: Path, trace: int = 0, full: bool = False) -> None:
    """The flow once over ``inputs`` into ``out`` in this process: its peak RSS by phase.
    ``full`` on an output that has run before takes the shards from its cache (the same
    dedupe, tables and publish, without the shards' CPU)."""
    from pipeline.flows import run

    mem = PhaseMemory(trace=trace)
    t0 = time.perf_counter()
    try:
        summary = run(inputs, out, min_topic_score=0.0, progress=mem, full=full)
    finally:
        mem.stop()
    print(f"flow: {summary.line()} in {time.perf_counter() - t0:.0f} s; peak RSS by phase:", flush=True)
    for line in mem.lines(summary.pages_in):
        print(line, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--trafilatura-sample", type=int, default=1000, help="pages timed for trafilatura's rate")
    ap.add_argument("--work", help="working folder (default: a temp folder, removed after)")
    ap.add_argument("--distinct", action="store_true", help="make nearly every page a distinct article")
    ap.add_argument("--full-only", action="store_true", help="only the full run (no incremental runs after it)")
    ap.add_argument("--shard-phases", action="store_true",
                    help="only the shard function over the bench pages in this process, CPU by stage")
    ap.add_argument("--profile", action="store_true", help="with --shard-phases: cProfile's top functions")
    ap.add_argument("--spool-rows", type=int, help="only the sorted hand-over of N spooled articles (``spool_sort``)")
    ap.add_argument("--spool-whole", action="store_true", help="with --spool-rows: sort the table whole, as before")
    ap.add_argument("--memory-phases", nargs="+", metavar="PAGES_FOLDER",
                    help="only the flow over these page folders (output in --work): its peak RSS by phase")
    ap.add_argument("--trace", type=int, default=0, help="with --memory-phases: tracemalloc's top N at each phase")
    ap.add_argument("--output", help="with --memory-phases: the output folder (default: under --work)")
    ap.add_argument("--full", action="store_true", help="with --memory-phases: a full run (reuses the output's shard cache)")
    args = ap.parse_args()
    if args.memory_phases:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        work = Path(args.work or tempfile.mkdtemp(prefix="dgn-mem-"))
        try:
            memory_by_phase(args.memory_phases, Path(args.output) if args.output else work / "out", args.trace,
                            args.full)
        finally:
            if not args.work:
                shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.spool_rows:
        with tempfile.TemporaryDirectory(prefix="dgn-spool-") as tmp:
            spool_sort(args.spool_rows, args.spool_whole, Path(tmp))
        return 0
    if args.shard_phases:
        shard_phases(args.profile)
        return 0
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    work = Path(args.work or tempfile.mkdtemp(prefix="dgn-bench-"))
    try:
        files = build(work / "pages", args.pages, distinct=args.distinct)
        chosen = files[:: max(1, len(files) // args.trafilatura_sample)][:args.trafilatura_sample]
        # trafilatura on half its sample before the flow and half after: load that changes
        # during the bench weighs on both sides of the ratio
        load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
        traf_before, cpu_before = trafilatura_rate(chosen[0::2])

        from pipeline.flows import run

        clock = PhaseClock()
        t0, c0 = time.perf_counter(), run_cpu_seconds()
        full = run([work / "pages"], work / "out", min_topic_score=0.0, progress=clock)
        t_full, cpu_full = time.perf_counter() - t0, run_cpu_seconds() - c0
        traf_after, cpu_after = trafilatura_rate(chosen[1::2])
        traf = 2 / (1 / traf_before + 1 / traf_after)
        traf_cpu = 2 / (1 / cpu_before + 1 / cpu_after)
        print(f"trafilatura extract only: {traf:.1f} pages/s ({len(chosen)} pages; {traf_before:.1f} before "
              f"the flow, {traf_after:.1f} after)", flush=True)
        rate = args.pages / t_full
        pages_wall, pages_cpu = clock.spent.get("pages", (0.0, 0.0))
        shard_rate = args.pages / pages_wall if pages_wall else 0.0
        shard_cpu_rate = args.pages / pages_cpu if pages_cpu else 0.0
        print(f"dgn end to end: {args.pages} pages in {t_full:.1f} s = {rate:.1f} pages/s "
              f"({rate / traf:.2f} x trafilatura); {full.line()}", flush=True)
        print(f"shard phase: {pages_wall:.1f} s = {shard_rate:.1f} pages/s ({shard_rate / traf:.2f} x trafilatura), "
              f"CPU {clock.cpu_percent('pages'):.0f}% of one core (process tree; {os.cpu_count()} cores); "
              f"extract phase (pages dedupe kept) {clock.spent.get('extract', (0, 0))[0]:.1f} s, CPU "
              f"{clock.cpu_percent('extract'):.0f}%; publish {clock.spent.get('publish', (0, 0))[0]:.1f} s; other "
              f"{t_full - pages_wall - clock.spent.get('extract', (0, 0))[0] - clock.spent.get('publish', (0, 0))[0]:.1f} s",
              flush=True)
        pages_cpu += clock.spent.get("extract", (0.0, 0.0))[1]  # the shards' work now ends after dedupe
        shard_cpu_rate = args.pages / pages_cpu if pages_cpu else 0.0
        print(f"CPU a page: dgn shard and extract phases {1000 * pages_cpu / args.pages:.1f} ms (process tree), trafilatura "
              f"{1000 / traf_cpu:.1f} ms; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
              f"at the end ({load_before} before)", flush=True)
        print(f"per CPU second: dgn shard and extract phases {shard_cpu_rate:.1f} pages, trafilatura {traf_cpu:.1f} pages "
              f"({shard_cpu_rate / traf_cpu:.2f} x); with every core busy dgn would run at "
              f"{(os.cpu_count() or 1) * shard_cpu_rate / traf_cpu:.2f} x trafilatura's single-process rate", flush=True)
        peak_full = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS after the full run: {peak_full:.0f} MiB; full run CPU {cpu_full:.1f} s (process tree)",
              flush=True)
        if args.full_only:
            return 0
        build(work / "pages", max(1, args.pages // 100), start=args.pages, distinct=args.distinct)
        t0, c0 = time.perf_counter(), run_cpu_seconds()
        inc = run([work / "pages"], work / "out", min_topic_score=0.0)
        t_inc, cpu_inc = time.perf_counter() - t0, run_cpu_seconds() - c0
        print(f"incremental, 1% new: {t_inc:.1f} s = {100 * t_inc / t_full:.1f}% of the full run; {inc.line()}")
        print(f"incremental CPU {cpu_inc:.1f} s = {100 * cpu_inc / cpu_full:.1f}% of the full run's {cpu_full:.1f} s "
              f"(process tree)", flush=True)
        t0 = time.perf_counter()
        again = run([work / "pages"], work / "out", min_topic_score=0.0)
        print(f"nothing new: {time.perf_counter() - t0:.2f} s (in this process, Prefect already imported); "
              f"{again.line()}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:.0f} MiB at {args.pages} pages{' (distinct)' if args.distinct else ''}")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
