"""The extract stage's CPU on new text: pages whose sentences the tagger has not seen.

``prep`` cleans and normalizes N pages once (default: the 2,000 distinct pages that
``bench_flow.build(..., distinct=True)`` writes) and keeps the extract inputs in a pickle;
``time`` runs them as the flow does (groups of 16 pages: the tagger's cache cleared, the
group's sentences tagged by one ``prefetch_tags``, then ``extract_from_text`` a page), in CPU time (``time.process_time``), for the code under ``--code`` (a folder holding a
``pipeline`` package, e.g. an exported main) or this worktree, and can dump the records for
an identity check (``--dump``). Alternate the two codes in separate processes:

    python tests/benchmarks/bench_tagger_new_text.py prep /work/d2k/pages /tmp/d2k.pkl
    python tests/benchmarks/bench_tagger_new_text.py time /tmp/d2k.pkl [--code DIR] [--dump OUT.json]
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path


def prep(pages: Path, out: Path, limit: int) -> None:
    from pipeline.clean import clean_page
    from pipeline.ingest.decode import decode_bytes
    from pipeline.normalize import normalize_document
    from pipeline.record import Document

    items = []
    for f in sorted(pages.rglob("*"))[:limit] if limit else sorted(pages.rglob("*")):
        if not f.is_file():
            continue
        fmt = "html" if f.suffix in (".html", ".htm") else "text"
        content = decode_bytes(f.read_bytes())[0]
        try:
            d = normalize_document(Document(id=f.name, path=str(f), format=fmt, content=content,
                                            article=clean_page(content, fmt)))
        except Exception:  # noqa: BLE001 - a page the flow would quarantine
            continue
        md = d.metadata
        pub = md.get("published_at")
        items.append((str(f), md.get("title_simplified") or md.get("title") or "",
                      md.get("paragraphs_simplified") or md.get("paragraphs") or [], pub.date() if pub else None,
                      md.get("author_lines", []), md.get("meta_lines", [])))
    out.write_bytes(pickle.dumps(items))
    print(f"{len(items)} pages, {sum(len(''.join(i[2])) for i in items) / max(1, len(items)):.0f} chars a page")


def run(items: list, dump: Path | None, group: int) -> None:
    """As the flow does: the tagger's cache cleared, the group's sentences tagged in one
    ``prefetch_tags`` call, then each page's tables; the encoder's share timed apart."""
    from pipeline.extract import extract_from_text, prefetch_tags, tagger
    from pipeline.record import Document

    encode, in_encoder = tagger._encode, [0.0]

    def timed(model, texts):
        t = time.process_time()
        try:
            return encode(model, texts)
        finally:
            in_encoder[0] += time.process_time() - t

    tagger._encode = timed
    extract_from_text("预热", ["由中国信息通信研究院主办的论坛在北京举行，王志勤表示。"])
    spent, out, in_encoder[0] = 0.0, {}, 0.0
    for g in range(0, len(items), group):
        chunk = items[g:g + group]
        tagger._SEEN.clear()
        t = time.process_time()
        prefetch_tags([Document(id="", path="", metadata={"paragraphs": c[2]}) for c in chunk])
        for path, title, paras, pub, authors, metas in chunk:
            records, fields = extract_from_text(title, paras, pub, authors, metas)
            if dump:
                out[path] = {"records": records, "fields": fields}
        spent += time.process_time() - t
    n = len(items)
    print(f"{n} pages, groups of {group}: {spent / n * 1000:.2f} ms CPU a page (prefetch + extract_from_text), "
          f"of which the tagger's encoder and decoder {in_encoder[0] / n * 1000:.2f}")
    if dump:
        dump.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True, default=str), "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["prep", "time"])
    ap.add_argument("src")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--code", help="folder holding the pipeline package to time (default: this worktree)")
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--group", type=int, default=16, help="pages a prefetch call (the flow's TAG_GROUP)")
    args = ap.parse_args()
    if args.code:
        sys.path.insert(0, args.code)
    if args.cmd == "prep":
        prep(Path(args.src), Path(args.out), args.limit)
    else:
        items = pickle.loads(Path(args.src).read_bytes())
        run(items[: args.limit] if args.limit else items, args.dump, args.group)


if __name__ == "__main__":
    main()
