"""Incremental runs: what the latest release already holds, and how new pages join it.

The latest release is the state: its articles and rejected rows name every page it has seen
(by ``page_id``). A run with the same pipeline version processes only pages not seen there
and publishes the old rows plus the new ones; a different pipeline version, or ``--full``,
starts from nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import PIPELINE_VERSION

CHILD_TABLES = ("people", "events", "statistics", "documents", "quotes")


def is_page_row(r: dict) -> bool:
    """A rejected row that stands for a whole page (not a quarantined row of a child table)."""
    return r.get("table") in (None, "", "articles")


@dataclass
class Prior:
    version: str
    tables: dict[str, list[dict]]
    rejected: list[dict]
    seen: frozenset[str]
    pages_in: int
    run_info: dict = field(default_factory=dict)


def _current(output_dir: str | Path) -> tuple[Path, dict] | None:
    """The latest release and its manifest, if one exists and this pipeline version built it."""
    from pipeline.release import latest

    rel = latest(Path(output_dir))
    if rel is None:
        return None
    manifest = json.loads((rel / "manifest.json").read_text("utf-8"))
    if manifest.get("pipeline_version") != PIPELINE_VERSION:
        return None
    return rel, manifest


def _seen(article_page_ids: list[str], rejected: list[dict]) -> frozenset[str]:
    return frozenset(article_page_ids) | {r["page_id"] for r in rejected if r.get("page_id") and is_page_row(r)}


def _pages_in(manifest: dict, seen: frozenset[str]) -> int:
    return int(manifest.get("run", {}).get("pages_in", len(seen)))


def load_prior(output_dir: str | Path) -> Prior | None:
    """The latest good release as rows, or None when there is none or it was built by another version."""
    import pyarrow.parquet as pq

    current = _current(output_dir)
    if current is None:
        return None
    rel, manifest = current
    tables = {p.stem: pq.read_table(p).to_pylist() for p in sorted((rel / "data").glob("*.parquet"))}
    rejected = pq.read_table(rel / "rejected.parquet").to_pylist()
    seen = _seen([r["page_id"] for r in tables.get("articles", [])], rejected)
    return Prior(rel.name, tables, rejected, seen, _pages_in(manifest, seen), manifest.get("run", {}))


def seen_pages(output_dir: str | Path) -> tuple[str, int, int, frozenset[str]] | None:
    """(version, pages in, articles, page ids) of the latest release: the page_id columns only,
    for the quick "anything new?" check before a run."""
    import pyarrow.parquet as pq

    current = _current(output_dir)
    if current is None:
        return None
    rel, manifest = current
    articles = pq.read_table(rel / "data" / "articles.parquet", columns=["page_id"]).column("page_id").to_pylist()
    rejected = pq.read_table(rel / "rejected.parquet", columns=["page_id", "table"]).to_pylist()
    seen = _seen(articles, rejected)
    return rel.name, _pages_in(manifest, seen), len(articles), seen


def merge(prior: Prior, new_tables: dict[str, list[dict]], new_rejected: list[dict]) -> tuple[dict, list[dict]]:
    """Old rows plus new ones. An old article keeps its id and rows: a new page with the same
    article becomes its duplicate and adds to its ``duplicate_count``; organizations are
    re-counted over both."""
    old_ids = {a["article_id"] for a in prior.tables.get("articles", [])}
    again = [a for a in new_tables.get("articles", []) if a["article_id"] in old_ids]
    rejected = list(new_rejected) + [
        {"page_id": a["page_id"], "path": None, "url": a["url"], "stage": "dedupe", "reason": "duplicate_of",
         "detail": "an article of an earlier release", "duplicate_of": a["article_id"]} for a in again]
    extra_dups: dict[str, int] = {}
    for r in rejected:
        if r.get("reason") == "duplicate_of" and r.get("duplicate_of") in old_ids:
            extra_dups[r["duplicate_of"]] = extra_dups.get(r["duplicate_of"], 0) + 1
    merged = {"articles": [{**a, "duplicate_count": a["duplicate_count"] + extra_dups.get(a["article_id"], 0)}
                           for a in prior.tables.get("articles", [])]
              + [a for a in new_tables.get("articles", []) if a["article_id"] not in old_ids]}
    for t in CHILD_TABLES:
        merged[t] = prior.tables.get(t, []) + [r for r in new_tables.get(t, []) if r["article_id"] not in old_ids]
    orgs: dict[str, dict] = {}
    for o in prior.tables.get("organizations", []) + new_tables.get("organizations", []):
        cur = orgs.setdefault(o["name"], {**o, "aliases": [], "article_count": 0})
        cur["aliases"] = sorted(set(cur["aliases"]) | set(o.get("aliases") or []))
        cur["article_count"] += o.get("article_count") or 0
        cur["type"] = cur.get("type") or o.get("type")
    merged["organizations"] = [orgs[k] for k in sorted(orgs)]
    return merged, prior.rejected + rejected


def unchanged_pages(inputs: list[str], seen: frozenset[str]) -> int | None:
    """How many pages the inputs hold when the release has them all (``seen``); None if any is new.

    Lets `dgn run` answer "nothing new" in a second or two, before starting Prefect.
    """
    from pipeline.ingest import discover, page_id, read_source, unread_page_id

    files, skipped = discover(inputs)
    if any(unread_page_id(path) not in seen for path, _ in skipped):
        return None
    n = len(skipped)
    for src in files:
        for page in read_source(src):
            if page_id(page) not in seen:
                return None
            n += 1
    return n
