"""Incremental runs: what the latest release already holds, and how new pages join it.

The latest release is the state: its articles and rejected rows name every page it has seen
(by ``page_id``). A run with the same pipeline version processes only pages not seen there
and publishes a release that links the old parts and adds the new rows as new parts
(``pipeline.publish.parts``); a different pipeline version, or ``--full``, starts from nothing.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import PIPELINE_VERSION

if TYPE_CHECKING:
    from pipeline.ingest.known import KnownFiles
    from pipeline.publish.parts import Carry

CHILD_TABLES = ("people", "events", "statistics", "documents", "quotes")


def is_page_row(r: dict) -> bool:
    """A rejected row that stands for a whole page (not a quarantined row of a child table)."""
    return r.get("table") in (None, "", "articles")


@dataclass
class Prior:
    """What a run needs of the latest release: its key columns and rejected rows, never its
    tables whole (they stay in their parts, which the next release links)."""

    version: str
    path: Path
    manifest: dict
    article_ids: pa.Array
    rejected: pa.Table
    seen: frozenset[str]
    pages_in: int
    run_info: dict = field(default_factory=dict)

    @property
    def articles(self) -> int:
        return len(self.article_ids)

def current_release(output_dir: str | Path, options: dict | None = None) -> tuple[Path, dict] | None:
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


def release_token(rel: Path) -> str:
    """A release's name and a digest of its manifest: names one release even if a folder of the
    same name is made again after it was deleted."""
    import hashlib

    return f"{rel.name}:{hashlib.sha256((rel / 'manifest.json').read_bytes()).hexdigest()[:16]}"


def changed_options(manifest: dict, options: dict) -> dict[str, tuple]:
    """Options whose value differs from the release's: name -> (then, now)."""
    then = manifest.get("run", {}).get("limits", {})
    return {k: (then.get(k), v) for k, v in sorted(options.items()) if then.get(k) != v}


def options_note(output_dir: str | Path, options: dict) -> str | None:
    """Why every page is processed again although the latest release holds them: the options
    changed since it was built."""
    current = current_release(output_dir)
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
    was built with other ``options``. Of its articles only the key and page columns are read."""
    import pyarrow.parquet as pq

    from pipeline.publish.layout import read_table

    current = current_release(output_dir, options)
    if current is None:
        return None
    rel, manifest = current
    keys = read_table(rel, "articles", ["article_id", "page_id"])
    rejected = pq.read_table(rel / "rejected.parquet")
    seen = _seen(keys.column("page_id").to_pylist(), rejected)
    return Prior(rel.name, rel, manifest, keys.column("article_id").combine_chunks(), rejected, seen,
                 _pages_in(manifest, seen), manifest.get("run", {}))


def seen_pages(output_dir: str | Path, options: dict | None = None,
               current: tuple[Path, dict] | None = None) -> tuple[str, int, int, frozenset[str]] | None:
    """(version, pages in, articles, page ids) of the latest release: the page_id columns only,
    for the quick "anything new?" check before a run. ``current``: ``current_release``'s
    answer when the caller has it (the release is then not checked again)."""
    import pyarrow.parquet as pq

    from pipeline.publish.layout import read_table

    current = current or current_release(output_dir, options)
    if current is None:
        return None
    rel, manifest = current
    articles = read_table(rel, "articles", ["page_id"]).column("page_id").to_pylist()
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


class _Rows:
    """Filtered batches of one table, kept in order: in memory, or in a Parquet file of
    ``folder`` (then the table is never whole in memory)."""

    def __init__(self, name: str, folder: Path | None):
        self.name, self.path = name, (folder / f"{name}.parquet" if folder is not None else None)
        self._parts: list[pa.Table] = []
        self._writer = None

    def add(self, t: pa.Table) -> None:
        if self.path is None:
            self._parts.append(t)
            return
        import pyarrow.parquet as pq

        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, t.schema, compression="lz4")
        if t.num_rows:
            self._writer.write_table(t)

    def done(self):
        from pipeline.publish.stream import TableSource
        from pipeline.tables import TABLES

        schema = TABLES[self.name].schema
        if self.path is None:
            return pa.concat_tables(self._parts).combine_chunks() if self._parts else schema.empty_table()
        if self._writer is None:
            return TableSource(self.name, table=schema.empty_table())
        self._writer.close()
        return TableSource(self.name, files=(self.path,))


def merge(prior: Prior, new_tables: dict, new_rejected: list[dict], folder: Path | None = None
          ) -> tuple[dict, list[dict], Carry]:
    """The rows this run adds to the latest release, the run's rejected rows, and what the
    release carries (``Carry``: its parts, and the duplicates added to its articles).

    An old article keeps its id and rows: a new page with the same article becomes its
    duplicate and adds to its ``duplicate_count`` (in the parts that hold it, rewritten on
    publish). Organizations are re-counted over the old table and the new rows. Only the old
    article ids are read, and the old organizations (a small aggregate). The new tables
    (Arrow tables or ``TableSource``) are read a batch at a time; with ``folder`` the rows
    kept go to Parquet files there (``TableSource``), else they are returned as Arrow tables."""
    from pipeline.publish.layout import table_files
    from pipeline.publish.parts import Carry
    from pipeline.publish.stream import TableSource
    from pipeline.tables import to_arrow

    old_ids = prior.article_ids
    merged: dict = {}
    again: list[dict] = []
    for t in ("articles", *CHILD_TABLES):
        kept = _Rows(t, folder)
        for batch in TableSource.of(t, new_tables[t]).batches():
            fresh = _not_in(batch, "article_id", old_ids)
            if t == "articles":
                again += batch.filter(pc.invert(fresh)).select(["page_id", "url", "article_id"]).to_pylist()
            kept.add(batch.filter(fresh))
        merged[t] = kept.done()
    rejected = list(new_rejected) + [
        {"page_id": a["page_id"], "path": None, "url": a["url"], "stage": "dedupe", "reason": "duplicate_of",
         "detail": "an article of an earlier release", "duplicate_of": a["article_id"]} for a in again]
    targets = [r["duplicate_of"] for r in rejected if r.get("reason") == "duplicate_of" and r.get("duplicate_of")]
    known = pc.is_in(pa.array(targets, pa.string()), value_set=old_ids).to_pylist() if targets else []
    extra = Counter(t for t, k in zip(targets, known) if k)
    orgs: dict[str, dict] = {}
    old_orgs = TableSource("organizations", files=tuple(table_files(prior.path, "organizations")))
    for batch in chain(old_orgs.batches(), TableSource.of("organizations", new_tables["organizations"]).batches()):
        for o in batch.to_pylist():
            cur = orgs.setdefault(o["name"], {**o, "aliases": [], "article_count": 0})
            cur["aliases"] = sorted(set(cur["aliases"]) | set(o.get("aliases") or []))
            cur["article_count"] += o.get("article_count") or 0
            cur["type"] = cur.get("type") or o.get("type")
    merged["organizations"] = to_arrow("organizations", [orgs[k] for k in sorted(orgs)])
    return merged, rejected, Carry(prior.path, prior.manifest, dict(sorted(extra.items())))


def unchanged_pages(inputs: list[str], seen: frozenset[str], known: KnownFiles | None = None,
                    listing: tuple[list, list] | None = None) -> int | None:
    """How many pages the inputs hold when the release has them all (``seen``); None if any is new.

    Lets `dgn run` answer "nothing new" in a second or two, before starting Prefect: the files
    ``known`` from earlier runs are not opened. ``listing``: ``discover(inputs)`` if made already.
    """
    from pipeline.ingest import discover, page_id, read_source, unread_page_id

    files, skipped = listing or discover(inputs)
    if any(unread_page_id(path) not in seen for path, _ in skipped):
        return None
    n = len(skipped)
    if known is not None:
        files, n_known = known.split(files, seen)
        n += n_known
    for src in files:
        for page in read_source(src):
            if page_id(page) not in seen:
                return None
            n += 1
    return n
