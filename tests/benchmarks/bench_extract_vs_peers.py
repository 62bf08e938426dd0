"""`dgn extract`'s cleaner next to trafilatura and readability: same pages, one process,
interleaved page by page, CPU time.

Not a test (pytest does not collect this folder's file name pattern). Usage:
    python tests/benchmarks/bench_extract_vs_peers.py [BENCH_DIR] [--repeat N] [--only dgn]
        [--profile OUT.prof]

Each page is given to every extractor in turn before the next page, and each call is timed
with time.process_time, so that load from other processes on the machine (which takes wall
time, not this process's CPU time) and drifts during the run affect all extractors alike.
DGN is timed as `dgn extract` runs it (bytes -> decode -> clean, `extract_path` without the
file read); trafilatura gets the same bytes (it decodes them itself), readability the text
DGN's decoder made of them. Pages: the bench's HTML pages (daniel_dev, cwced_69,
magic_html_zh, gne_tests_unlabelled, govportal_dev, htmldate_zh, newspaper4k_zh) and the
seed text dumps, repeated N times. The cleaner keeps answers about lines it has seen
(pipeline/clean/memo.py); they are cleared before each round, so that a page seen again
costs what it cost the first time.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

GLOBS = ("daniel_dev/html/*.html", "cwced_69/original/*.html", "magic_html_zh/article/htmls/*.html",
         "gne_tests_unlabelled/**/*.html", "govportal_dev/html/*.html", "htmldate_zh/html/*.html",
         "newspaper4k_zh/html/*.html")


def pages(bench: Path) -> list[Path]:
    out = sorted(p for g in GLOBS for p in bench.glob(g))
    out += sorted((bench.parent / "seeds").glob("*.txt"))
    return out


def dgn(path: Path, raw: bytes, _text: str) -> object:
    from pipeline.clean import clean_page
    from pipeline.clean.page import format_for
    from pipeline.ingest.decode import decode_bytes

    text, _ = decode_bytes(raw)
    return clean_page(text, format_for(str(path), text)).body


def trafilatura_default(_path: Path, raw: bytes, _text: str) -> object:
    import trafilatura

    return trafilatura.extract(raw) or ""


def readability(_path: Path, _raw: bytes, text: str) -> object:
    from readability import Document

    try:
        return Document(text).summary()
    except Exception:  # readability raises on some empty or odd documents
        return ""


EXTRACTORS = {"dgn": dgn, "trafilatura": trafilatura_default, "readability": readability}


def _forget() -> None:
    try:
        from pipeline.clean import memo
    except ImportError:  # the cleaner before it kept answers
        return
    memo.clear()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(REPO.parent / "shared" / "bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", action="append", choices=sorted(EXTRACTORS), help="extractors to time (default all)")
    ap.add_argument("--profile", help="write a cProfile of DGN alone (no peers) to this file")
    a = ap.parse_args()
    from pipeline.ingest.decode import decode_bytes

    paths = pages(Path(a.bench))
    items = [(p, p.read_bytes()) for p in paths]
    items = [(p, raw, decode_bytes(raw)[0]) for p, raw in items]
    names = a.only or list(EXTRACTORS)
    for name in names:  # imports, data files and caches outside the timing
        EXTRACTORS[name](*items[0])
    if a.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
        for _ in range(a.repeat):
            _forget()
            for it in items:
                dgn(*it)
        prof.disable()
        prof.dump_stats(a.profile)
        return
    cpu = dict.fromkeys(names, 0.0)
    clock = time.process_time
    for _ in range(a.repeat):
        _forget()
        for it in items:
            for name in names:
                fn = EXTRACTORS[name]
                t0 = clock()
                fn(*it)
                cpu[name] += clock() - t0
    n = len(items) * a.repeat
    rates = {name: n / cpu[name] for name in names}
    print(json.dumps({"pages": len(items), "repeat": a.repeat, "timed_calls_each": n}))
    for name in names:
        print(json.dumps({"extractor": name, "cpu_s": round(cpu[name], 2), "pages_per_cpu_s": round(rates[name], 1)}))
    if "dgn" in rates:
        for name in names:
            if name != "dgn":
                print(json.dumps({"ratio": f"dgn / {name}", "value": round(rates["dgn"] / rates[name], 2)}))


if __name__ == "__main__":
    main()
