"""What the card, its charts and the report say of the released articles, summed a batch at a
time and part by part, so that describing a release holds counters, never its rows.

``Coverage`` is a mergeable tally (dates, months, sites, sources, source types, provinces,
keywords) over articles. A release's coverage is the sum of its articles parts'; the tally
of a part is cached under the output folder by the part's sha256 (``OUTPUT/.cache/coverage/``),
so that an incremental release reads only the parts it wrote: a part's bytes fix its tally,
and a rewritten or changed part has another digest.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

COLUMNS = ("published_at", "url", "site", "source", "source_type", "region_codes", "keywords")
FORMAT = 1  # of the cached tallies: a change of what is counted needs a new number
NONE = "(none)"


def shanghai(v: dt.datetime) -> dt.datetime:
    """An aware time in Asia/Shanghai (naive times already are)."""
    return v.astimezone(dt.timezone(dt.timedelta(hours=8))) if v.tzinfo else v


@dataclass
class Coverage:
    """Tallies over articles. ``regions`` counts province codes (names are looked up when
    drawn, so a cached tally does not freeze the region table); ``no_url`` counts articles
    with neither a site nor a URL host."""

    rows: int = 0
    undated: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    months: Counter = field(default_factory=Counter)
    sites: Counter = field(default_factory=Counter)
    no_url: int = 0
    outlets: Counter = field(default_factory=Counter)
    source_types: Counter = field(default_factory=Counter)
    regions: Counter = field(default_factory=Counter)
    keywords: Counter = field(default_factory=Counter)

    def add(self, batch: pa.Table) -> "Coverage":
        """Count a batch of articles (any table holding ``COLUMNS``)."""
        from pipeline.normalize.sources import host

        self.rows += batch.num_rows
        dates = [shanghai(v) for v in batch.column("published_at").to_pylist() if v is not None]
        self.undated += batch.num_rows - len(dates)
        if dates:
            lo, hi = min(dates), max(dates)
            self.first = lo if self.first is None or lo < self.first else self.first
            self.last = hi if self.last is None or hi > self.last else self.last
            self.months.update(f"{d.year:04d}-{d.month:02d}" for d in dates)
        for s, u in zip(batch.column("site").to_pylist(), batch.column("url").to_pylist()):
            h = s or host(u)
            if h:
                self.sites[h] += 1
            elif h is None:
                self.no_url += 1
        self.outlets.update(_counts(batch.column("source"), skip_empty=True))
        for kind, n in _counts(batch.column("source_type")).items():
            self.source_types[kind or NONE] += n
        for codes in batch.column("region_codes").to_pylist():
            provinces = {c[:2] + "0000" for c in codes or [] if c}
            if not provinces:
                self.regions[NONE] += 1
            self.regions.update(provinces)
        for words in batch.column("keywords").to_pylist():
            self.keywords.update(set(words or []))
        return self

    def merge(self, other: "Coverage") -> "Coverage":
        self.rows += other.rows
        self.undated += other.undated
        self.no_url += other.no_url
        for end, pick in (("first", min), ("last", max)):
            mine, theirs = getattr(self, end), getattr(other, end)
            setattr(self, end, theirs if mine is None else mine if theirs is None else pick(mine, theirs))
        for name in ("months", "sites", "outlets", "source_types", "regions", "keywords"):
            getattr(self, name).update(getattr(other, name))
        return self

    def to_json(self) -> dict:
        out = {"format": FORMAT, "rows": self.rows, "undated": self.undated, "no_url": self.no_url,
               "first": self.first.isoformat() if self.first else None,
               "last": self.last.isoformat() if self.last else None}
        for name in ("months", "sites", "outlets", "source_types", "regions", "keywords"):
            out[name] = dict(sorted(getattr(self, name).items()))
        return out

    @classmethod
    def from_json(cls, d: dict) -> "Coverage":
        if d.get("format") != FORMAT:
            raise ValueError("a tally of another format")
        when = {k: dt.datetime.fromisoformat(d[k]) if d.get(k) else None for k in ("first", "last")}
        return cls(rows=d["rows"], undated=d["undated"], no_url=d["no_url"], **when,
                   **{k: Counter(d[k]) for k in ("months", "sites", "outlets", "source_types", "regions", "keywords")})

    @classmethod
    def of(cls, articles) -> "Coverage":
        """The tally of an Arrow table or a ``TableSource`` (a batch at a time), or itself."""
        if isinstance(articles, Coverage):
            return articles
        if isinstance(articles, pa.Table):
            return cls().add(articles)
        out = cls()
        for batch in articles.batches(list(COLUMNS)):
            out.add(batch)
        return out


def _counts(column: pa.ChunkedArray, skip_empty: bool = False) -> Counter:
    """Value counts of a string column in Arrow (nulls under None)."""
    out: Counter = Counter()
    for item in pc.value_counts(column).to_pylist():
        if skip_empty and not item["values"]:
            continue
        out[item["values"]] += item["counts"]
    return out


def cache_dir(release: Path) -> Path:
    """``OUTPUT/.cache/coverage/`` for a release folder ``OUTPUT/releases/<version>``."""
    return Path(release).parent.parent / ".cache" / "coverage"


def part_coverage(path: Path, sha256: str | None, cache: Path | None) -> Coverage:
    """The tally of one articles part: from the cache when its digest is known and cached,
    else read (the short columns, a batch at a time) and cached."""
    import pyarrow.parquet as pq

    from pipeline.publish.stream import TableSource

    entry = cache / f"{sha256}.json" if cache is not None and sha256 else None
    if entry is not None:
        try:
            return Coverage.from_json(json.loads(entry.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    out = Coverage()
    if pq.ParquetFile(path).metadata.num_rows:
        for batch in TableSource("articles", files=(Path(path),)).batches(list(COLUMNS), rows=4096):
            out.add(batch)
    if entry is not None:
        _store(entry, out)
    return out


def _store(entry: Path, tally: Coverage) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
        tmp.write_text(json.dumps(tally.to_json(), ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, entry)
    except OSError:  # a read-only output folder: the part is read again next time
        pass


def release_coverage(folder: Path, parts: list[dict], cache: Path | None) -> Coverage:
    """The tally of a release's articles, part by part (``parts``: the manifest's entries)."""
    out = Coverage()
    for p in parts:
        out.merge(part_coverage(Path(folder) / p["parquet"]["path"], p["parquet"].get("sha256"), cache))
    return out


def prune(cache: Path | None, parts: list[dict]) -> None:
    """Keep the cache the size of one release: drop the tallies of parts ``parts`` (the
    release being written, which the next one carries from) does not hold."""
    if cache is None or not cache.is_dir():
        return
    keep = {f"{p['parquet'].get('sha256')}.json" for p in parts}
    for entry in cache.glob("*.json"):
        if entry.name not in keep:
            entry.unlink(missing_ok=True)


def titles_of(articles, ids) -> dict[str, str | None]:
    """The titles of the articles ``ids`` only, read a batch at a time (a table, a
    ``TableSource`` or a release folder)."""
    from pipeline.publish import layout
    from pipeline.publish.stream import TableSource

    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    if isinstance(articles, (str, Path)):
        articles = TableSource("articles", files=tuple(layout.table_files(Path(articles), "articles")))
    wanted = pa.array(ids, type=pa.string())
    out = {}
    for t in TableSource.of("articles", articles).batches(["article_id", "title"]):
        hit = t.filter(pc.fill_null(pc.is_in(t.column("article_id"), value_set=wanted), False))
        out.update(zip(hit.column("article_id").to_pylist(), hit.column("title").to_pylist()))
    return out


@dataclass
class Released:
    """What the card and the report read of a release's tables: rows per table, the
    articles' coverage, and (``titles``) the titles of the few articles they name."""

    rows: dict[str, int]
    coverage: Coverage
    articles: object = None  # where titles are found: a release folder, a table or a TableSource

    def titles(self, ids) -> dict[str, str | None]:
        return titles_of(self.articles, ids) if self.articles is not None else {}

    @classmethod
    def of_release(cls, folder: Path, parts: dict[str, list[dict]], cache: Path | None) -> "Released":
        """A release being written in ``folder``, from its parts (``write_data``'s entries)."""
        rows = {name: sum(p["rows"] for p in ps) for name, ps in parts.items()}
        coverage = release_coverage(folder, parts.get("articles", []), cache)
        prune(cache, parts.get("articles", []))
        return cls(rows, coverage, Path(folder))

    @classmethod
    def of_tables(cls, tables: dict) -> "Released":
        """Tables (Arrow tables or ``TableSource``s): a blocked run's, which were validated."""
        from pipeline.publish.stream import TableSource
        from pipeline.tables import RELEASED

        sources = {n: TableSource.of(n, tables.get(n, [])) for n in RELEASED}
        return cls({n: s.num_rows for n, s in sources.items()}, Coverage.of(sources["articles"]),
                   sources["articles"])
