"""The release's schema contract (schema_version 1): columns, types, descriptions and keys.

Everything downstream of extract speaks this module: ``to_arrow`` types a stage's plain
dicts, the Parquet files carry each column's description in their field metadata, the
Frictionless descriptor and the dataset card's field dictionary are generated from it, and
validation takes its primary and foreign keys from here.

Tables whose rows the spec names no identifier for get a natural compound key that is
unique by meaning (one row a person and role in an article, one a 《》 title in an
article, ...), so no synthetic key column is added. A duplicate key is a table-level
validation failure: the extractor must emit one row per key.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable

import pyarrow as pa

from pipeline.ingest.decode import valid_utf8

SCHEMA_VERSION = 1
TZ = "Asia/Shanghai"
TIMESTAMP = pa.timestamp("us", tz=TZ)
STRINGS = pa.list_(pa.string())
_SHANGHAI = dt.timezone(dt.timedelta(hours=8), TZ)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None

    @property
    def is_list(self) -> bool:
        return pa.types.is_list(self.type)


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def list_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_list]

    @property
    def schema(self) -> pa.Schema:
        """Arrow schema; every field nullable, since ``required`` is enforced by validation."""
        fields = [
            pa.field(c.name, c.type, metadata={"description": c.description})
            for c in self.columns
        ]
        meta = {
            "dgn.table": self.name,
            "dgn.schema_version": str(SCHEMA_VERSION),
            "dgn.description": self.description,
            "dgn.primary_key": json.dumps(list(self.primary_key)),
            "dgn.column_descriptions": json.dumps(
                {c.name: c.description for c in self.columns}, ensure_ascii=False),
        }
        return pa.schema(fields, metadata=meta)


def _c(name, type_, description, required=False, enum=None) -> Column:
    return Column(name, type_, description, required, tuple(enum) if enum else None)


SOURCE_TYPES = ("central_media", "local_media", "government", "research", "company", "portal",
                "unknown")
PUBLISHED_AT_SOURCES = ("meta", "header", "text", "url")
ROLES = ("author", "speaker", "quoted", "mentioned")
DOC_TYPES = ("policy", "plan", "report", "standard", "white_paper", "speech", "other")
QUALIFIERS = ("=", ">", ">=", "<", "<=", "~")
QUOTE_KINDS = ("direct", "indirect")
_ARTICLE_FK = (ForeignKey(("article_id",), "articles", ("article_id",)),)
_ARTICLE_ID = "The article the row was extracted from (articles.article_id)."

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("articles", "One row per released article: cleaned text, dates, source and labels.", (
        _c("article_id", pa.string(), "Stable article identifier: the same article keeps it across runs and re-crawls.", True),
        _c("url", pa.string(), "URL the page was fetched from, when known."),
        _c("site", pa.string(), "Host name of the URL (without www.)."),
        _c("title", pa.string(), "Article title; null when the page gives none (flag untitled)."),
        _c("published_at", TIMESTAMP, "Publication time, Asia/Shanghai; midnight when the page gives only a date; null when it gives none (flag undated)."),
        _c("published_at_source", pa.string(), "Where the publication time was found: meta | header | text | url.", enum=PUBLISHED_AT_SOURCES),
        _c("source", pa.string(), "Canonical outlet named as the source (来源), spam brands removed."),
        _c("source_raw", pa.string(), "The source line as it appeared on the page."),
        _c("source_type", pa.string(), "Kind of source: central_media | local_media | government | research | company | portal | unknown.", enum=SOURCE_TYPES),
        _c("flags", STRINGS, "Quality flags: spam_source, reprint, spun_text, traditional_script, undated, untitled, "
                             "lossy_decode (characters lost in decoding), ..."),
        _c("authors", STRINGS, "Authors (记者, 作者, 文/...) named in the byline."),
        _c("editors", STRINGS, "Editors (责任编辑, 编辑, ...) named on the page."),
        _c("body", pa.string(), "Article text, paragraphs joined by a newline; PII redacted.", True),
        _c("char_count", pa.int64(), "Characters in body."),
        _c("topic_score", pa.float64(), "Digital-government relevance score in [0, 1]."),
        _c("keywords", STRINGS, "Terms of the controlled digital-government vocabulary found in the article."),
        _c("region_codes", STRINGS, "GB/T 2260 six-digit codes of the regions the article is about."),
        _c("duplicate_count", pa.int64(), "Number of other pages that were duplicates (reprints) of this article."),
        _c("page_id", pa.string(), "sha256 of the raw bytes of the page the article was taken from."),
        _c("fetched_at", TIMESTAMP, "When the page was crawled, Asia/Shanghai."),
    ), ("article_id",)),
    Table("people", "People named in articles, one row per person and role in an article.", (
        _c("article_id", pa.string(), _ARTICLE_ID, True),
        _c("name", pa.string(), "Person's name.", True),
        _c("title", pa.string(), "Job title as given (副院长, 教授, ...)."),
        _c("organization", pa.string(), "Canonical organization the person is with (organizations.name)."),
        _c("organization_raw", pa.string(), "The organization as written in the text."),
        _c("role", pa.string(), "Role in the article: author | speaker | quoted | mentioned.", True, ROLES),
        _c("evidence", pa.string(), "The sentence the row was read from."),
    ), ("article_id", "name", "role"), _ARTICLE_FK),
    Table("organizations", "Organizations named in the articles, by canonical name.", (
        _c("name", pa.string(), "Canonical full name.", True),
        _c("aliases", STRINGS, "Other names and abbreviations (中国信通院 for 中国信息通信研究院)."),
        _c("type", pa.string(), "Kind of organization (government, research, company, association, ...)."),
        _c("article_count", pa.int64(), "Number of released articles that name it."),
    ), ("name",)),
    Table("events", "Events (forums, conferences, launches) reported in articles.", (
        _c("event_id", pa.string(), "Stable event identifier.", True),
        _c("article_id", pa.string(), _ARTICLE_ID, True),
        _c("name", pa.string(), "Event name.", True),
        _c("edition", pa.int64(), "Edition number (第三届 -> 3)."),
        _c("date", pa.date32(), "Date the event took place (year inferred from the publication date when the text omits it)."),
        _c("city", pa.string(), "City where it took place."),
        _c("region_code", pa.string(), "GB/T 2260 six-digit code of the place."),
        _c("venue", pa.string(), "Venue."),
        _c("organizers", STRINGS, "Organizers (主办)."),
        _c("co_organizers", STRINGS, "Co-organizers (承办, 协办)."),
        _c("theme", pa.string(), "Theme (主题) of the event."),
    ), ("event_id",), _ARTICLE_FK),
    Table("statistics", "Figures stated in articles, fully scaled.", (
        _c("article_id", pa.string(), _ARTICLE_ID, True),
        _c("subject", pa.string(), "What the figure measures."),
        _c("value", pa.float64(), "The value, fully scaled (3.9万亿元 -> 3.9e12); percentages as fractions.", True),
        _c("unit", pa.string(), "Unit after scaling (元, 人, 项, %, 位, ...)."),
        _c("qualifier", pa.string(), "How the value relates to the truth: = | > | >= | < | <= | ~.", enum=QUALIFIERS),
        _c("raw", pa.string(), "The figure as written (3.9万亿元).", True),
        _c("as_of", pa.date32(), "Date the figure refers to, when stated."),
        _c("region_code", pa.string(), "GB/T 2260 six-digit code of the region the figure is about."),
        _c("evidence", pa.string(), "The sentence the figure was read from.", True),
    ), ("article_id", "evidence", "raw"), _ARTICLE_FK),
    Table("documents", "Documents cited by title (text inside 《》).", (
        _c("article_id", pa.string(), _ARTICLE_ID, True),
        _c("title", pa.string(), "Title inside 《》.", True),
        _c("doc_type", pa.string(), "policy | plan | report | standard | white_paper | speech | other.", enum=DOC_TYPES),
        _c("issuer", pa.string(), "Who issued or published it, when the text says."),
    ), ("article_id", "title"), _ARTICLE_FK),
    Table("quotes", "Statements attributed to a speaker.", (
        _c("article_id", pa.string(), _ARTICLE_ID, True),
        _c("speaker", pa.string(), "Who said it."),
        _c("speaker_title", pa.string(), "The speaker's title."),
        _c("text", pa.string(), "What was said.", True),
        _c("kind", pa.string(), "direct (quoted words) | indirect (reported speech).", enum=QUOTE_KINDS),
    ), ("article_id", "text"), _ARTICLE_FK),
    Table("rejected", "Pages and rows left out of the release, with the reason.", (
        _c("page_id", pa.string(), "sha256 of the raw page, for pages rejected before extraction."),
        _c("path", pa.string(), "Where the page came from."),
        _c("url", pa.string(), "URL of the page, when known."),
        _c("title", pa.string(), "The page's headline, when cleaning found one."),
        _c("stage", pa.string(), "Pipeline stage that left it out: ingest, clean, filter, dedupe, validate."),
        _c("reason", pa.string(), "Why it was left out (empty, not_relevant, duplicate, failed_validation, ...).", True),
        _c("detail", pa.string(), "More about the reason."),
        _c("duplicate_of", pa.string(), "article_id of the article a duplicate page was folded into."),
        _c("table", pa.string(), "For quarantined rows: the table the row belonged to."),
        _c("key", pa.string(), "For quarantined rows: the row's primary key as a JSON array."),
        _c("expectation", pa.string(), "For quarantined rows: the expectation (type and column) it failed."),
        _c("observed", pa.string(), "For quarantined rows: the value that failed it."),
    ), ("reason", "page_id", "path", "table", "key", "expectation")),
)}

RELEASED = ("articles", "people", "organizations", "events", "statistics", "documents", "quotes")


def _timestamp(v: Any) -> dt.datetime | None:
    """ISO string, date or datetime -> aware datetime; naive values are Shanghai local time."""
    if v is None or v == "":
        return None
    if isinstance(v, str):
        s = v.strip().replace("Z", "+00:00")
        v = dt.datetime.fromisoformat(s) if ("T" in s or " " in s or len(s) > 10) else dt.date.fromisoformat(s)
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    if v.tzinfo is None:
        v = v.replace(tzinfo=_SHANGHAI)
    return v


def _date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return (v.astimezone(_SHANGHAI) if v.tzinfo else v).date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v).strip()[:10])


def _list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [valid_utf8(v)]
    return [valid_utf8(str(x)) for x in v]


def _int(v: Any) -> int | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


def _str(v: Any) -> str | None:
    return None if v is None else valid_utf8(str(v))


def _converter(t: pa.DataType):
    if pa.types.is_timestamp(t):
        return _timestamp
    if pa.types.is_date(t):
        return _date
    if pa.types.is_list(t):
        return _list
    if pa.types.is_integer(t):
        return _int
    if pa.types.is_floating(t):
        return _float
    return _str


def _sort_key(row: dict, key: Iterable[str]) -> tuple:
    """None sorts first; the whole row breaks ties so that input order never shows."""
    parts = tuple((row[k] is not None, "" if row[k] is None else str(row[k])) for k in key)
    return parts + (json.dumps(row, sort_keys=True, default=str, ensure_ascii=False),)


def typed_rows(name: str, rows: list[dict]) -> list[dict]:
    """Rows coerced to the table's Python types, unknown columns refused, sorted by key."""
    table = TABLES[name]
    known = set(table.names)
    convert = {c.name: _converter(c.type) for c in table.columns}
    out = []
    for i, row in enumerate(rows):
        extra = set(row) - known
        if extra:
            raise KeyError(f"{name} row {i}: columns not in schema_version {SCHEMA_VERSION}: {sorted(extra)}")
        try:
            out.append({c: convert[c](row.get(c)) for c in table.names})
        except (TypeError, ValueError) as e:
            raise ValueError(f"{name} row {i}: {e}") from e
    out.sort(key=lambda r: _sort_key(r, table.primary_key))
    return out


def _printable(v: Any) -> Any:
    """Lone surrogates (undecodable file names read with surrogateescape) as ``\\xNN``: Arrow
    strings must be valid UTF-8, and the bytes stay recognisable."""
    if isinstance(v, str):
        return v.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(v, list):
        return [_printable(x) for x in v]
    return v


def _array(values: list, type_: pa.DataType) -> pa.Array:
    try:
        return pa.array(values, type=type_)
    except (UnicodeEncodeError, pa.ArrowInvalid):
        if not (pa.types.is_string(type_) or pa.types.is_list(type_)):
            raise
        return pa.array([_printable(v) for v in values], type=type_)


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    """Typed, deterministically ordered Arrow table with the schema and descriptions of ``name``.

    Built a column at a time and sorted by Arrow (a run's rejected rows number one a page, and
    a typed dict a row cost ten times the table); only rows that share a key fall back to
    ``typed_rows``, whose whole-row tie-break keeps input order from showing.
    """
    table = TABLES[name]
    known = set(table.names)
    for i, row in enumerate(rows):
        if not known.issuperset(row):
            raise KeyError(f"{name} row {i}: columns not in schema_version {SCHEMA_VERSION}: "
                           f"{sorted(set(row) - known)}")
    arrays = []
    for c in table.columns:
        convert = _converter(c.type)
        values = []
        for i, row in enumerate(rows):
            try:
                values.append(convert(row.get(c.name)))
            except (TypeError, ValueError) as e:
                raise ValueError(f"{name} row {i}: {e}") from e
        arrays.append(_array(values, c.type))
    out = pa.Table.from_arrays(arrays, schema=table.schema)
    if out.num_rows < 2:
        return out
    out = sort_by_key(name, out)
    if _has_ties(out, table.primary_key):
        typed = typed_rows(name, rows)
        return pa.Table.from_arrays([_array([r[c.name] for r in typed], c.type) for c in table.columns],
                                    schema=table.schema)
    return out


def sort_by_key(name: str, table: pa.Table) -> pa.Table:
    """Rows in primary-key order, nulls first: the order of ``to_arrow``, for tables put together
    from parts (shards, an earlier release plus new rows)."""
    keys = [(k, "ascending", "at_start") for k in TABLES[name].primary_key]
    return table.sort_by(keys) if table.num_rows > 1 else table


def _has_ties(table: pa.Table, key: Iterable[str]) -> bool:
    """Whether two neighbouring rows of a key-sorted table share the key (nulls equal to nulls)."""
    import pyarrow.compute as pc

    same = None
    for k in key:
        col = table.column(k)
        a, b = col.slice(1), col.slice(0, len(col) - 1)
        eq = pc.or_(pc.fill_null(pc.equal(a, b), False), pc.and_(pc.is_null(a), pc.is_null(b)))
        same = eq if same is None else pc.and_(same, eq)
    return bool(pc.any(same).as_py())


def row_key(name: str, row: dict) -> str:
    """The row's primary key as a JSON array: the ``key`` of a quarantined row."""
    return json.dumps([_str(row.get(k)) for k in TABLES[name].primary_key], ensure_ascii=False)
