"""`dgn eval`: body-text quality of the cleaner on labelled pages.

The metric is the one of the shared bench (zh_bench.py): F1 over the multiset of character
bigrams of the white-space-free text, averaged over pages, so that a missed paragraph and kept
boilerplate both cost. Layouts understood under BENCH_DIR (each optional):
``daniel_dev/`` (html/, reference/, textdump/), ``cwced_69/`` (original/, cleaned/),
``magic_html_zh/article/`` (htmls/, base_zh.json), and the plain layout a user can make:
``html/<id>.html`` (or .txt) with ``reference/<id>.txt``.
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

_WS = re.compile(r"\s+")


def bigrams(text: str) -> Counter:
    s = _WS.sub("", text or "")
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def f1(pred: str, truth: str) -> tuple[float, float, float]:
    p, t = bigrams(pred), bigrams(truth)
    if not p or not t:
        return 0.0, 0.0, 0.0
    inter = sum((p & t).values())
    prec, rec = inter / sum(p.values()), inter / sum(t.values())
    return prec, rec, (2 * prec * rec / (prec + rec) if inter else 0.0)


def _strip_p(text: str) -> str:
    return re.sub(r"</?p>", "\n", text)


def labelled_pages(bench: Path, textdump: bool = False) -> Iterator[tuple[str, Path, str]]:
    """Yield (set name, page path, truth text)."""
    for name in ("daniel_zh", "daniel_dev"):
        d = bench / name
        for h in sorted((d / "html").glob("*.html")):
            ref = d / "reference" / (h.stem + ".txt")
            page = d / "textdump" / (h.stem + ".txt") if textdump else h
            if ref.exists() and page.exists():
                yield "daniel", page, _strip_p(ref.read_text("utf-8", "replace"))
    if textdump:
        return
    d = bench / "cwced_69"
    for h in sorted((d / "original").glob("*.html")):
        ref = d / "cleaned" / (h.stem + ".txt")
        if ref.exists():
            yield "cwced", h, ref.read_text("utf-8", "replace")
    d = bench / "magic_html_zh" / "article"
    if (d / "base_zh.json").exists():
        for k, v in sorted(json.loads((d / "base_zh.json").read_text("utf-8")).items()):
            h = d / "htmls" / (k + ".html")
            if h.exists():
                yield "magic", h, v["content"]
    for h in sorted([*(bench / "html").glob("*.htm*"), *(bench / "html").glob("*.txt")]):
        ref = bench / "reference" / (h.stem + ".txt")
        if ref.exists():
            yield "own", h, _strip_p(ref.read_text("utf-8", "replace"))


def evaluate(bench: str | Path, textdump: bool = False, progress=None) -> dict:
    """Per-set and overall F1, precision, recall, pages/s and failures, as zh_bench.py prints them."""
    from pipeline.clean.page import extract_path

    docs = list(labelled_pages(Path(bench), textdump))
    if not docs:
        raise FileNotFoundError(f"no labelled pages found under {bench}")
    per: dict[str, list[tuple[float, float, float]]] = {}
    fails = 0
    t0 = time.perf_counter()
    for i, (st, path, truth) in enumerate(docs, 1):
        out = extract_path(str(path))
        if progress:
            progress(i, len(docs))
        fails += "error" in out
        per.setdefault(st, []).append(f1(out.get("text") or "", truth))
    dt = time.perf_counter() - t0
    row: dict = {st: round(sum(x[2] for x in v) / len(v), 4) for st, v in per.items()}
    allv = [x for v in per.values() for x in v]
    for i, k in enumerate(("all_p", "all_r", "all_f1")):
        row[k] = round(sum(x[i] for x in allv) / len(allv), 4)
    row.update(pages=len(docs), pages_per_s=round(len(docs) / dt, 1), fails=fails)
    return row
