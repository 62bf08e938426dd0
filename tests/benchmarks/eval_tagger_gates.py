"""What leaving sentences untagged costs the records: people, quote speakers and organizations
of records_dev (its labels, by name) when only the sentences a gate passes are tagged, and the
share of characters tagged. The pages are built as records_bench.py builds them (``--from
text``) and cleaned and normalized in process; scores are relative (compare gates, not with
records_bench). Gates: ``exact`` (taggable.needs_tags, this package's), ``all``, and cue gates
that were tried and not kept (tests/benchmarks/README.md, "Tagger on new text").

    python tests/benchmarks/eval_tagger_gates.py [GATE ...]
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_tagger_new_text  # noqa: E402

GOLD = Path(__file__).resolve().parents[3] / "shared" / "bench" / "records_dev"


def _norm(s) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s or "")))


def _items(labels: dict) -> list:
    import pickle

    work = Path(tempfile.mkdtemp())
    (work / "in").mkdir()
    for name in labels:
        html = (GOLD / "text" / name).read_text("utf-8")
        paras = [p for p in (re.sub(r"<[^>]+>", "", p).strip() for p in re.split(r"</p>\s*", html)) if p]
        d = name[:8] if name[:8].isdigit() else "20200101"
        paras.insert(1, f"发布时间：{d[:4]}-{d[4:6]}-{d[6:8]}")
        (work / "in" / (name + ".txt")).write_bytes("\n".join(paras).encode("utf-8"))
    bench_tagger_new_text.prep(work / "in", work / "items.pkl", 0)
    return pickle.loads((work / "items.pkl").read_bytes())


def _gates() -> dict:
    import pipeline.extract as x
    from pipeline.normalize.reference import rules, table

    r = rules()
    surnames = [row["surname"] for row in table("surnames.csv")]
    single = "".join(s for s in surnames if len(s) == 1)

    def words(ws):
        return re.compile("|".join(map(re.escape, sorted(ws, key=len, reverse=True))))

    person = re.compile(f"[{single}][\u4e00-\u9fff]|" + "|".join(s for s in surnames if len(s) == 2)
                        + "|[·•]|[" + r["transliteration_chars"] + "]{2}")
    suffix = words({s for v in r["org_types"].values() for s in v})
    cue = words([row["title"] for row in table("titles.csv")] + r["speaker_roles"] + r["quote_verbs"]
                + [w for w in r["name_followers"] if len(w) >= 2] + [w.strip("/／") for w in r["byline_markers"]]
                + r["name_honorifics"])
    exact = x.needs_tags
    return {
        "all": lambda s: True,
        "exact": exact,
        "person_or_suffix": lambda s: exact(s) and bool(person.search(s) or suffix.search(s)),
        "cue_or_suffix": lambda s: exact(s) and bool(cue.search(s) or suffix.search(s) or "、" in s),
        "cue": lambda s: exact(s) and bool(cue.search(s) or "、" in s),
    }


def main() -> None:
    import pipeline.extract as x
    from pipeline.extract import tagger

    labels = json.loads((GOLD / "labels.json").read_text("utf-8"))
    items = _items(labels)
    gates = _gates()
    for name in sys.argv[1:] or list(gates):
        gate = gates[name]
        x.needs_tags = gate
        tot = {k: [0, 0, 0] for k in ("people", "quote_speakers", "organizations")}
        chars = [0, 0]
        for path, title, paras, pub, authors, metas in items:
            tagger._SEEN.clear()
            sents = list(dict.fromkeys(x._sentences(paras)))
            chars[0] += sum(map(len, sents))
            chars[1] += sum(len(s) for s in sents if gate(s))
            rec = x.extract_from_text(title, paras, pub, authors, metas)[0]
            g = labels[Path(path).name[:-4]]
            for key, gold, pred in (
                    ("people", {_norm(p["name"]) for p in g.get("people", []) if p.get("name")},
                     {_norm(p["name"]) for p in rec["people"]}),
                    ("quote_speakers", {_norm(q["speaker"]) for q in g.get("quotes", []) if q.get("speaker")},
                     {_norm(q["speaker"]) for q in rec["quotes"] if q["speaker"]}),
                    ("organizations", {_norm(o["name"] if isinstance(o, dict) else o) for o in g.get("organizations", [])},
                     {_norm(o["name"]) for o in rec["organizations"]})):
                tot[key][0] += len(gold & pred)
                tot[key][1] += len(pred)
                tot[key][2] += len(gold)
        scores = "  ".join(f"{k} P {tp / max(p, 1):.3f} R {tp / max(n, 1):.3f}" for k, (tp, p, n) in tot.items())
        print(f"{name:17s} characters tagged {chars[1] / chars[0]:.3f}  {scores}")


if __name__ == "__main__":
    main()
