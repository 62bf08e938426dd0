"""Incremental runs: what the latest release already holds, and how new pages join it.

The latest release is the state: its articles and rejected rows name every page it has seen
(by ``page_id``). A run with the same pipeline version processes only pages not seen there
and publishes the old rows plus the new ones; a different pipeline version, or ``--full``,
starts from nothing.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import PIPELINE_VERSION

CHILD_TABLES = ("people", "events", "statistics", "documents", "quotes")


def is_page_row(r: dict) -> bool:
    """A rejected row that stands for a whole page (not a quarantined row of a child table)."""
    return r.get("table") in (None, "", "articles")


@dataclass
class Prior:
    """The latest release as Arrow tables (compact: no Python object a row)."""

    version: str
    tables: dict[str, pa.Table]
    rejected: pa.Table
    seen: frozenset[str]
    pages_in: int
    run_info: dict = field(default_factory=dict)


def _current(output_dir: str | Path, options: dict | None = None) -> tuple[Path, dict] | None:
    """The latest release and its manifest, if one exists, this pipeline version built it and,
    given ``options`` (what changes the result: relevance, length, limits), with the same ones."""
    from pipeline.publish.release import latest

    rel = latest(Path(output_dir))
    if rel is None:
        return None
    manifest = json.loads((rel / "manifest.json").read_text("utf-8"))
    if manifest.get("pipeline_version") != PIPELINE_VERSION:
        return None
    if options is not None and changed_options(manifest, options):
        return None
    return rel, manifest


def changed_options(manifest: dict, options: dict) -> dict[str, tuple]:
    """Options whose value differs from the release's: name -> (then, now)."""
    then = manifest.get("run", {}).get("limits", {})
    return {k: (then.get(k), v) for k, v in sorted(options.items()) if then.get(k) != v}


def options_note(output_dir: str | Path, options: dict) -> str | None:
    """Why every page is processed again although the latest release holds them: the options
    changed since it was built."""
    current = _current(output_dir)
    if current is None:
        return None
    rel, manifest = current
    changed = changed_options(manifest, options)
    if not changed:
        return None
    what = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items())
    return f"options changed since release {rel.name} ({what}): every page was processed again"


def _page_rows(rejected: pa.Table) -> pa.Table:
    """Rejected rows that stand for a whole page (``is_page_row``), as a table."""
    table = rejected.column("table")
    return rejected.filter(pc.or_kleene(pc.is_null(table), pc.is_in(table, pa.array(["", "articles"]))))


def _seen(article_page_ids: list[str], rejected: pa.Table) -> frozenset[str]:
    return frozenset(article_page_ids) | set(_page_rows(rejected).column("page_id").drop_null().to_pylist())


def _pages_in(manifest: dict, seen: frozenset[str]) -> int:
    return int(manifest.get("run", {}).get("pages_in", len(seen)))


def load_prior(output_dir: str | Path, options: dict | None = None) -> Prior | None:
    """The latest good release, or None when there is none, another version built it, or it
    was built with other ``options``."""
    import pyarrow.parquet as pq

    current = _current(output_dir, options)
    if current is None:
        return None
    rel, manifest = current
    tables = {p.stem: pq.read_table(p) for p in sorted((rel / "data").glob("*.parquet"))}
    rejected = pq.read_table(rel / "rejected.parquet")
    seen = _seen(tables["articles"].column("page_id").to_pylist(), rejected)
    return Prior(rel.name, tables, rejected, seen, _pages_in(manifest, seen), manifest.get("run", {}))


def seen_pages(output_dir: str | Path, options: dict | None = None) -> tuple[str, int, int, frozenset[str]] | None:
    """(version, pages in, articles, page ids) of the latest release: the page_id columns only,
    for the quick "anything new?" check before a run."""
    import pyarrow.parquet as pq

    current = _current(output_dir, options)
    if current is None:
        return None
    rel, manifest = current
    # ParquetFile, not read_table: no pyarrow.dataset, which imports pandas (a second more)
    articles = pq.ParquetFile(rel / "data" / "articles.parquet").read(columns=["page_id"]).column("page_id").to_pylist()
    rejected = pq.ParquetFile(rel / "rejected.parquet").read(columns=["page_id", "table"]).to_pydict()
    seen = frozenset(articles) | {p for p, t in zip(rejected["page_id"], rejected["table"])
                                  if p is not None and is_page_row({"table": t})}
    return rel.name, _pages_in(manifest, seen), len(articles), seen


def page_reasons(rejected: list[dict], carried: pa.Table | None = None) -> Counter:
    """Pages by reason (``duplicate_of`` included) over new rejected rows and carried ones."""
    counts = Counter(r["reason"] for r in rejected if is_page_row(r))
    if carried is not None:
        counts.update(_page_rows(carried).column("reason").to_pylist())
    return counts


def _not_in(table: pa.Table, column: str, values: pa.Array) -> pa.Array:
    return pc.invert(pc.is_in(table.column(column), value_set=values))


def merge(prior: Prior, new_tables: dict[str, pa.Table], new_rejected: list[dict]) -> tuple[dict, list[dict]]:
    """Old rows plus new ones. An old article keeps its id and rows: a new page with the same
    article becomes its duplicate and adds to its ``duplicate_count``; organizations are
    re-counted over both. The old rejected rows stay in ``prior.rejected``."""
    from pipeline.tables import sort_by_key, to_arrow

    old = prior.tables["articles"]
    old_ids = old.column("article_id").combine_chunks()
    new = new_tables["articles"]
    fresh = _not_in(new, "article_id", old_ids)
    again = new.filter(pc.invert(fresh)).select(["page_id", "url", "article_id"]).to_pylist()
    rejected = list(new_rejected) + [
        {"page_id": a["page_id"], "path": None, "url": a["url"], "stage": "dedupe", "reason": "duplicate_of",
         "detail": "an article of an earlier release", "duplicate_of": a["article_id"]} for a in again]
    old_list = old_ids.to_pylist()
    known = set(old_list)
    extra = Counter(r["duplicate_of"] for r in rejected
                    if r.get("reason") == "duplicate_of" and r.get("duplicate_of") in known)
    if extra:
        counts = [c + extra.get(a, 0) for a, c in zip(old_list, old.column("duplicate_count").to_pylist())]
        i = old.schema.get_field_index("duplicate_count")
        old = old.set_column(i, old.schema.field(i), pa.array(counts, old.schema.field(i).type))
    merged = {"articles": sort_by_key("articles", pa.concat_tables([old, new.filter(fresh).cast(old.schema)]))}
    for t in CHILD_TABLES:
        before = prior.tables[t]
        merged[t] = sort_by_key(t, pa.concat_tables(
            [before, new_tables[t].filter(_not_in(new_tables[t], "article_id", old_ids)).cast(before.schema)]))
    orgs: dict[str, dict] = {}
    for o in prior.tables["organizations"].to_pylist() + new_tables["organizations"].to_pylist():
        cur = orgs.setdefault(o["name"], {**o, "aliases": [], "article_count": 0})
        cur["aliases"] = sorted(set(cur["aliases"]) | set(o.get("aliases") or []))
        cur["article_count"] += o.get("article_count") or 0
        cur["type"] = cur.get("type") or o.get("type")
    merged["organizations"] = to_arrow("organizations", [orgs[k] for k in sorted(orgs)])
    return merged, rejected


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
