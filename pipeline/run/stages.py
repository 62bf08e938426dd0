"""The per-page stages in order: ingest → clean → normalize → score → filter → extract.

Pure Python, no Prefect: the flow's shard task calls ``process_files`` and the tests call it
directly. A stage that raises on one page rejects that page (reason ``<stage>_error``) and the
shard goes on; a page that breaks a limit of ``pipeline.limits`` is rejected with that
limit's reason (``too_deep``, ``too_complex``, ``too_slow``, ``paragraph_too_long``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator

from pipeline.clean import clean_page
from pipeline.dedupe.ids import article_id
from pipeline.dedupe.near import signature
from pipeline.extract import extract_records, prefetch_tags, score_article
from pipeline.filter import run_filters
from pipeline.filter.spun import is_spun
from pipeline.faults import pause
from pipeline.ingest import RawPage, SourceFile, page_id, printable_path, read_source, to_document
from pipeline.ingest.decode import valid_utf8
from pipeline.limits import PageLimits, PageRejected, check_deadline, check_structure, page_deadline, page_limits
from pipeline.normalize import normalize_document
from pipeline.record import Document


READ_FAILED = ("ingest_error", "unreadable")  # a file read so is not remembered as read (``ingest.known``)
TAG_GROUP = 16  # kept pages whose sentences the tagger takes in one batch (same-length rows batch better)


@dataclass
class ShardResult:
    kept: list[dict] = field(default_factory=list)  # light article candidates (no raw page)
    rejected: list[dict] = field(default_factory=list)
    pages_in: int = 0
    unchanged: int = 0  # pages the previous release already holds (incremental runs)
    redactions: dict[str, int] = field(default_factory=dict)
    slowest: tuple[float, str] = (0.0, "")  # seconds and path of the shard's slowest page
    files: list[tuple[SourceFile, tuple[str, ...]]] = field(default_factory=list)  # read whole: page ids


def rejected_row(doc: Document, stage: str) -> dict:
    return {"page_id": doc.id, "path": doc.path, "url": doc.url, "title": (doc.article.title or None) if doc.article else None, "stage": stage,
            "reason": doc.rejected, "detail": doc.rejected_detail}


def process_document(doc: Document, limits: dict | None = None) -> tuple[Document, str]:
    """Run the stages on one decoded document; returns it and the last stage reached."""
    doc, stage = prepare_document(doc, limits)
    return (doc, stage) if doc.rejected else extract_document(doc, limits)


def prepare_document(doc: Document, limits: dict | None = None) -> tuple[Document, str]:
    """Every stage up to the filter's verdict (the tables are not extracted yet)."""
    bounds = page_limits(limits)
    steps = (
        ("clean", lambda d: _clean(d, bounds)),
        ("normalize", normalize_document),
        ("score", score_article),
    )
    with page_deadline(bounds.max_page_seconds):
        for stage, step in steps:
            try:
                step(doc)
                check_deadline(stage)
            except PageRejected as e:
                return doc.reject(e.reason, e.detail[:500]), stage
            except Exception as e:  # one bad page must not stop the shard
                return doc.reject(f"{stage}_error", f"{type(e).__name__}: {e}"[:500]), stage
    doc.content = ""
    if is_spun(doc.metadata.get("body", "")):
        doc.flags.append("spun_text")
    verdict = run_filters(doc, limits)
    if not verdict.keep:
        return doc.reject(verdict.reason, verdict.detail), "filter"
    return doc, "filter"


def extract_document(doc: Document, limits: dict | None = None, spent: float = 0.0) -> tuple[Document, str]:
    """The tables of a kept page (the tagger is the slow part, so only kept pages get it),
    within what is left of the page's time budget after ``spent`` seconds."""
    with page_deadline(page_limits(limits).max_page_seconds - spent):
        try:
            check_deadline("extract")
            extract_records(doc)
            check_deadline("extract")
        except PageRejected as e:
            return doc.reject(e.reason, e.detail[:500]), "extract"
        except Exception as e:  # one bad page must not stop the shard
            return doc.reject("extract_error", f"{type(e).__name__}: {e}"[:500]), "extract"
    return doc, "filter"


def _clean(doc: Document, bounds: PageLimits) -> None:
    pause("clean")
    if doc.format == "html":
        check_structure(doc.content, bounds)
    doc.article = clean_page(doc.content, doc.format, doc.url, doc.fetched_at)
    doc.url = doc.url or doc.article.url  # the input's address wins over the page's canonical
    longest = max((len(p) for p in doc.article.paragraphs), default=0)
    if longest > bounds.max_paragraph_chars:
        raise PageRejected("paragraph_too_long", f"a paragraph of {longest} characters > {bounds.max_paragraph_chars}")


EXTRACT_INPUT = ("title", "title_simplified", "paragraphs", "paragraphs_simplified", "published_at", "author_lines",
                 "meta_lines")  # what ``extract_records`` reads of a page's metadata
CARRIED = ("title", "body", "published_at", "published_at_source", "source", "source_raw", "source_type", "site",
           "authors", "editors", "topic_score", "keywords", "region_codes")


def candidate(doc: Document, spent: float | None = None) -> dict:
    """What a kept page carries to the dedupe and publish stages: only the fields the tables
    need (the paragraphs are in ``body`` already), plus what dedupe compares (the body's
    content id, length and MinHash signature), computed here so that the shards share the work.
    With ``spent`` (seconds so far) the tables are not extracted yet: the page carries what
    ``extract_candidates`` needs to extract them once dedupe has kept it."""
    body = doc.metadata.get("body", "")
    c = {"page_id": doc.id, "path": doc.path, "url": doc.url, "fetched_at": doc.fetched_at,
         "flags": list(doc.flags), "metadata": {k: doc.metadata[k] for k in CARRIED if k in doc.metadata},
         "records": doc.records, "content_id": article_id(body), "chars": len(body), "sig": signature(body)}
    if spent is not None:
        c["extract"] = {"spent": spent, "title_raw": doc.article.title if doc.article else None,
                        "metadata": {k: doc.metadata[k] for k in EXTRACT_INPUT if k in doc.metadata}}
    return c


def extract_group(group: list[tuple[Document, float]], limits: dict | None = None
                  ) -> Iterator[tuple[Document, str, float]]:
    """``extract_document`` of each (page, seconds spent so far) of a group, after one batched
    tagger call for the group; yields the page, its last stage and its seconds in all."""
    try:
        prefetch_tags([d for d, _ in group])
    except Exception:
        pass  # each page then tags itself, and fails alone if it must
    for doc, spent in group:
        started = time.perf_counter()
        doc, stage = extract_document(doc, limits, spent)
        yield doc, stage, spent + time.perf_counter() - started


def extract_candidates(cands: list[dict], ids: set[str], limits: dict | None = None) -> list[dict]:
    """The tables of the deferred candidates (``candidate(doc, spent)``) whose page id is in
    ``ids``, in place and in tagger batches of ``TAG_GROUP``; returns the rejected rows of
    those whose extraction failed, which are dropped from ``cands``. The others keep what
    they carry for a later call."""
    todo = [c for c in cands if c["page_id"] in ids and "extract" in c]
    failed: list[dict] = []
    for start in range(0, len(todo), TAG_GROUP):
        group = todo[start:start + TAG_GROUP]
        docs = [(Document(c["page_id"], c["path"], url=c["url"], metadata=dict(c["extract"]["metadata"])),
                 c["extract"]["spent"]) for c in group]
        for c, (doc, _, _) in zip(group, extract_group(docs, limits)):
            if doc.rejected:
                failed.append({"page_id": doc.id, "path": doc.path, "url": doc.url,
                               "title": c["extract"]["title_raw"] or None, "stage": "extract",
                               "reason": doc.rejected, "detail": doc.rejected_detail})
                continue
            c["records"] = doc.records
            c["metadata"].update({k: doc.metadata[k] for k in ("keywords", "region_codes", "topic_score")
                                  if k in doc.metadata})
            del c["extract"]
    if failed:
        gone = {r["page_id"] for r in failed}
        cands[:] = [c for c in cands if c["page_id"] not in gone]
    return failed


def process_files(files: list[SourceFile], limits: dict | None = None,
                  seen: frozenset[str] = frozenset(), defer_extract: bool = False) -> ShardResult:
    """Every page of the files, except those whose page_id is in ``seen`` (counted as unchanged).
    With ``defer_extract`` the kept pages' tables are not extracted here: the flow extracts
    them after dedupe, for the pages it keeps (``extract_candidates``), since the tagger is
    most of a page's time and a duplicate's tables are never released.

    Nothing one page does stops the shard: an exception while reading a file ends that file
    with a rejected page (``ingest_error``), one while decoding a page rejects that page."""
    out = ShardResult()
    bounds = page_limits(limits)
    pending: list[tuple[Document, float]] = []  # kept pages waiting for their tables, with time so far

    def done(doc: Document, stage: str, took: float) -> None:
        if took > out.slowest[0]:
            out.slowest = (took, doc.path)
        if doc.rejected:
            out.rejected.append(rejected_row(doc, stage))
            return
        for k, v in doc.metadata.get("redactions", {}).items():
            out.redactions[k] = out.redactions.get(k, 0) + v
        out.kept.append(candidate(doc, took if defer_extract else None))

    def flush() -> None:
        for doc, stage, took in extract_group(pending, limits):
            done(doc, stage, took)
        pending.clear()

    for src in files:
        ids: list[str] | None = []
        for page in _pages(src, bounds):
            started = time.perf_counter()
            pid = page_id(page)
            if page.error and page.error.startswith(READ_FAILED):
                ids = None
            elif ids is not None:
                ids.append(pid)
            if pid in seen:
                out.unchanged += 1
                continue
            out.pages_in += 1
            try:
                doc = to_document(page, pid)
            except Exception as e:
                out.rejected.append(_error_row(pid, page.path, page.url, e))
                continue
            stage = "ingest"
            if not doc.rejected:
                doc, stage = prepare_document(doc, limits)
            took = time.perf_counter() - started
            if doc.rejected or defer_extract:
                done(doc, stage, took)
                continue
            pending.append((doc, took))
            if len(pending) >= TAG_GROUP:
                flush()
        if ids is not None:
            out.files.append((src, tuple(ids)))
    flush()
    return out


def _pages(src: SourceFile, bounds) -> Iterator[RawPage]:
    """``read_source``, with an exception while reading turned into a last, rejected page."""
    n = 0
    try:
        for page in read_source(src, limits=bounds):
            n += 1
            yield page
    except Exception as e:
        where = f"{src.path}#{n + 1}" if src.kind in ("jsonl", "warc") else src.path
        yield RawPage(where, b"", src.kind, error=f"ingest_error: {type(e).__name__}: {e}"[:500])


def _error_row(pid: str, path: str, url: str | None, e: Exception) -> dict:
    return {"page_id": pid, "path": printable_path(path), "url": valid_utf8(url) if url else None,
            "stage": "ingest", "reason": "ingest_error", "detail": f"{type(e).__name__}: {e}"[:500]}
