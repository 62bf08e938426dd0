"""Throughput of normalize + extract (all tables) on real article text.

Articles: the five seeds (hand-cut, tests/labels/seed_articles.json) and the cleaned
reference bodies of ../shared/bench (daniel_dev: one <p> a paragraph, headline first;
cwced_69: plain text). Each worker process handles its share of distinct articles, so no
cache sees the same text twice. Prints articles/s.

    python tests/benchmarks/bench_extract.py [--workers 2] [--repeat 3]
"""
from __future__ import annotations

import argparse
import html
import json
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"


def load_articles() -> list[dict]:
    arts = list(json.loads((ROOT / "tests/labels/seed_articles.json").read_text("utf-8")).values())
    for f in sorted((BENCH / "daniel_dev/reference").glob("*.txt")):
        paras = [html.unescape(re.sub(r"<[^>]+>", "", p)).strip() for p in f.read_text("utf-8", "replace").split("</p>")]
        paras = [p for p in paras if p]
        if paras:
            arts.append({"title": paras[0], "paragraphs": paras[1:], "published_at": "2011-12-09"})
    for f in sorted((BENCH / "cwced_69/cleaned").glob("*.txt")):
        paras = [p.strip() for p in f.read_text("utf-8", "replace").split("\n") if p.strip()]
        if paras:
            arts.append({"title": paras[0][:40], "paragraphs": paras, "published_at": None})
    return arts


def _run(arts: list[dict]) -> int:
    from pipeline.extract import extract_records
    from pipeline.normalize import normalize_document
    from pipeline.record import Article, Document

    for i, a in enumerate(arts):
        d = Document(id=str(i), path=str(i), article=Article(**a))
        extract_records(normalize_document(d))
    return len(arts)


def _warm(_: int) -> int:
    return _run([{"title": "预热", "paragraphs": ["由中国信息通信研究院主办的论坛在北京举行。"]}])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="copies of the set (each copy's text made distinct)")
    args = ap.parse_args()
    base = load_articles()
    arts = []
    for r in range(args.repeat):
        for a in base:
            arts.append({**a, "paragraphs": [p + ("" if r == 0 else f"({r})") for p in a["paragraphs"]]})
    chars = sum(len("".join(a["paragraphs"])) for a in arts)
    shards = [arts[i:: args.workers] for i in range(args.workers)]
    with ProcessPoolExecutor(args.workers) as ex:
        list(ex.map(_warm, range(args.workers)))
        t = time.perf_counter()
        n = sum(ex.map(_run, shards))
        dt = time.perf_counter() - t
    print(f"{n} articles ({chars / n:.0f} chars each on average), {args.workers} workers: "
          f"{dt:.2f} s, {n / dt:.0f} articles/s")


if __name__ == "__main__":
    main()
