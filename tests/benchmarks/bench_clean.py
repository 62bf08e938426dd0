"""Speed and peak memory of the cleaner next to trafilatura, same pages, same run.

Not a test (pytest does not collect this folder's file name pattern). Usage:
    python tests/benchmarks/bench_clean.py [BENCH_DIR] [--limit N]
Prints pages/s and peak traced memory (tracemalloc) of each extractor over the HTML pages of
the bench (daniel_dev, cwced_69, magic_html_zh), plus `dgn extract` as a process (start-up
included) next to trafilatura in a fresh process.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def pages(bench: Path, limit: int | None) -> list[Path]:
    out = sorted((bench / "daniel_dev" / "html").glob("*.html"))
    out += sorted((bench / "cwced_69" / "original").glob("*.html"))
    out += sorted((bench / "magic_html_zh" / "article" / "htmls").glob("*.html"))
    return out[:limit] if limit else out


def ours(raw: bytes) -> str:
    from pipeline.clean import clean_page
    from pipeline.ingest.decode import decode_bytes

    return clean_page(decode_bytes(raw)[0], "html").body


def trafilatura_prec(raw: bytes) -> str:
    import trafilatura
    from pipeline.ingest.decode import decode_bytes

    return trafilatura.extract(decode_bytes(raw)[0], include_comments=False, favor_precision=True) or ""


def measure(fn, raws: list[bytes]) -> tuple[float, float]:
    """(pages/s untraced, peak MB traced): tracemalloc slows Python code, so time apart."""
    fn(raws[0])  # imports and caches outside the timing
    t0 = time.perf_counter()
    for r in raws:
        fn(r)
    dt = time.perf_counter() - t0
    tracemalloc.start()
    for r in raws:
        fn(r)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return len(raws) / dt, peak / 2**20


def process_rate(cmd: list[str], paths: list[Path]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd + [str(p) for p in paths], check=True, capture_output=True)
    return len(paths) / (time.perf_counter() - t0)


_TRAF_CMD = (
    "import sys, json, trafilatura\n"
    "for p in sys.argv[1:]:\n"
    "    t = trafilatura.extract(open(p, 'rb').read(), include_comments=False, favor_precision=True)\n"
    "    print(json.dumps({'path': p, 'text': t or ''}, ensure_ascii=False))\n"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(REPO.parent / "shared" / "bench"))
    ap.add_argument("--limit", type=int, default=None)
    a = ap.parse_args()
    paths = pages(Path(a.bench), a.limit)
    raws = [p.read_bytes() for p in paths]
    print(f"{len(paths)} pages")
    for name, fn in (("dgn clean (in process)", ours), ("trafilatura favor_precision (in process)", trafilatura_prec)):
        rate, peak = measure(fn, raws)
        print(json.dumps({"extractor": name, "pages_per_s": round(rate, 1), "peak_mb": round(peak, 1)}))
    dgn = [str(Path(sys.executable).with_name("dgn")), "extract", "--jsonl"]
    for name, cmd in (("dgn extract (process, start-up included)", dgn),
                      ("trafilatura (process, start-up included)", [sys.executable, "-c", _TRAF_CMD])):
        print(json.dumps({"extractor": name, "pages_per_s": round(process_rate(cmd, paths), 1)}))


if __name__ == "__main__":
    main()
