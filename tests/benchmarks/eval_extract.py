"""Precision and recall of people and statistics against tests/labels/people_statistics.json.

People match on (name, title) pairs, a chain of posts counting one pair a post (于贵: 党组书记,
局长; 曹淑敏: 副主任 at two organizations gives one pair); statistics on (value rounded to 6 significant digits, unit),
one per distinct pair in a page. Prints the figures per page and overall.

    python tests/benchmarks/eval_extract.py [-v] [--labels heldout_people_statistics.json]
"""
from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
LABELS = ROOT / "tests" / "labels"


LABEL_FILE = "people_statistics.json"


def _articles(label_file: str = LABEL_FILE) -> dict[str, dict]:
    seeds = json.loads((LABELS / "seed_articles.json").read_text("utf-8"))
    labels = json.loads((LABELS / label_file).read_text("utf-8"))["pages"]
    out = {}
    for key, lab in labels.items():
        if key in seeds:
            out[key] = seeds[key]
            continue
        text = (BENCH / "daniel_dev/reference" / f"{key}.txt").read_text("utf-8", "replace")
        paras = [html.unescape(re.sub(r"<[^>]+>", "", p)).strip() for p in text.split("</p>")]
        paras = [p for p in paras if p]
        out[key] = {"title": paras[0], "paragraphs": paras[1:], "published_at": f"{key[:4]}-{key[4:6]}-{key[6:8]}"}
    return out


def _stat_key(value: float, unit: str) -> tuple[float, str]:
    return float(f"{value:.6g}"), unit


def predictions(label_file: str = LABEL_FILE) -> dict[str, tuple[set, set]]:
    from pipeline.extract import extract_records
    from pipeline.normalize import normalize_document
    from pipeline.record import Article, Document

    from pipeline.normalize.reference import rules

    credits = {w.strip("/／") for w in rules()["byline_markers"]}
    out = {}
    for key, art in _articles(label_file).items():
        d = extract_records(normalize_document(Document(id=key, path=key, article=Article(**art))))
        people = {(p["name"], t) for p in d.records["people"] if p["title"] and p["title"] not in credits
                  for t in _title_words(p["title"])}  # the labels' definition: titled, no credit lines
        stats = {_stat_key(s["value"], s["unit"]) for s in d.records["statistics"]}
        out[key] = (people, stats)
    return out


def gold(label_file: str = LABEL_FILE) -> dict[str, tuple[set, set]]:
    labels = json.loads((LABELS / label_file).read_text("utf-8"))["pages"]
    return {k: ({(n, t) for n, title in v["people"] for t in _title_words(title)}, {_stat_key(*s) for s in v["statistics"]})
            for k, v in labels.items()}


def _title_words(title: str | None) -> set[str]:
    """The bare titles of a post chain (``国家信息中心副主任、国家公共信用信息中心主任`` → 副主任, 主任)."""
    from pipeline.extract.people import _title_at_end

    out = set()
    for part in (title or "").split("、"):
        m = _title_at_end().search(part)
        out.add(m.group(0) if m else part)
    return out


def scores(verbose: bool = False, label_file: str = LABEL_FILE) -> dict[str, dict[str, float]]:
    pred, ref = predictions(label_file), gold(label_file)
    totals = {"people": [0, 0, 0], "statistics": [0, 0, 0]}  # tp, predicted, labelled
    for key in ref:
        for i, table in enumerate(("people", "statistics")):
            p, g = pred[key][i], ref[key][i]
            t = totals[table]
            t[0] += len(p & g)
            t[1] += len(p)
            t[2] += len(g)
            if verbose and (p - g or g - p):
                print(f"{key[:40]} {table}: missed {sorted(g - p)} wrong {sorted(p - g)}")
    out = {}
    for table, (tp, npred, ngold) in totals.items():
        out[table] = {"precision": tp / npred if npred else 1.0, "recall": tp / ngold if ngold else 1.0,
                      "tp": tp, "predicted": npred, "labelled": ngold}
    return out


if __name__ == "__main__":
    label_file = sys.argv[sys.argv.index("--labels") + 1] if "--labels" in sys.argv else LABEL_FILE
    for table, s in scores("-v" in sys.argv, label_file).items():
        print(f"{table}: precision {s['precision']:.3f} recall {s['recall']:.3f} "
              f"({s['tp']} right of {s['predicted']} found, {s['labelled']} labelled)")
