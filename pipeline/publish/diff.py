"""What changed between two releases: rows added, removed and changed, per table, by key.

Only the parts that differ are read: a part both releases hold (hard-linked) is unchanged.
Memory is a few numpy arrays of the rows read, never a Python object a row: each side of a
table is a 128-bit digest of each row's key (the key's JSON, hashed with two keys), a 64-bit
digest of the whole row and the key's first bytes; the sides are matched by sorting, and only
the few keys the diff names are read back as text."""
from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.publish.layout import table_files
from pipeline.publish.stream import stream_parquet
from pipeline.tables import RELEASED, TABLES

EXAMPLES = 5
LISTED = 50  # articles named per kind of change; the rest are counted
BATCH_ROWS = 8192
KINDS = ("added", "removed", "changed")
_HASH_KEYS = ("dgn-diff-key-one", "dgn-diff-key-two")  # two independent siphash keys: a 128-bit key digest
_ESCAPED = r'[\x00-\x1f"\\]'  # what json.dumps escapes in a string (ensure_ascii=False)
_PREFIX = 8  # bytes of a key's JSON after its "[" kept to pick the first keys in order


def _version(release: Path) -> str:
    manifest = release / "manifest.json"
    if manifest.is_file():
        return json.loads(manifest.read_text("utf-8")).get("version", release.name)
    return release.name


def _identity(path: Path) -> tuple[int, ...]:
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _parts(release: Path, name: str) -> dict[tuple[int, int], Path]:
    return {_identity(f): f for f in table_files(release, name)}


_NULL = np.uint64(0x9E3779B97F4A7C15)  # a null's digest in any column; a value's is mixed, never set
_POSITION = np.uint64(0xD6E8FEB86659FD93)  # folded with a list item's position


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (as pandas'): each bit of ``h`` spread over all 64."""
    h = h ^ (h >> np.uint64(30))
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _text_digests(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.util.hash_array(values, categorize=False)


@cache
def _kind(name: str) -> np.uint64:
    return _text_digests(np.array([name], object))[0]


def _list_digests(c: pa.Array) -> np.ndarray:
    """Each list's items' digests, each mixed with its position, summed, and its length."""
    n = pc.fill_null(pc.list_value_length(c), 0).to_numpy().astype(np.int64)
    ends = np.cumsum(n)
    starts = ends - n
    at = (np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(starts, n)).astype(np.uint64)
    items = _mix(_value_digests(pc.list_flatten(c)) ^ _mix(at + _POSITION))
    total = np.concatenate(([np.uint64(0)], np.cumsum(items, dtype=np.uint64)))
    return (total[ends] - total[starts]) ^ _mix(n.astype(np.uint64))


def _value_digests(c) -> np.ndarray:
    """A 64-bit digest of each value of a column, a function of the value and its kind alone,
    never of its batch (pandas turns an integer column holding a null into floats, and hashes
    a null as the text "nan"): an integer as int64, a float as float64 bits, a date or time
    as its integer and its type, text and bytes by siphash, a list from its items; a null is
    ``_NULL``. Any other type (a struct, a decimal) as its JSON, a value at a time."""
    if isinstance(c, pa.ChunkedArray):
        c = c.combine_chunks()
    if pa.types.is_dictionary(c.type):
        c = c.dictionary_decode()
    t = c.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        kind, h = "text", _text_digests(c.to_numpy(zero_copy_only=False))
    elif pa.types.is_binary(t) or pa.types.is_large_binary(t):
        kind, h = "bytes", _text_digests(c.to_numpy(zero_copy_only=False))
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        kind, h = "list", _list_digests(c)
    elif pa.types.is_integer(t) or pa.types.is_boolean(t):
        kind = "bool" if pa.types.is_boolean(t) else "int"
        h = _mix(pc.fill_null(c.cast(pa.int64()), 0).to_numpy().view(np.uint64))
    elif pa.types.is_floating(t):
        v = pc.fill_null(c.cast(pa.float64()), 0.0).to_numpy() + 0.0  # -0.0 as 0.0
        kind, h = "float", _mix(np.where(np.isnan(v), np.nan, v).view(np.uint64))
    elif pa.types.is_temporal(t) and t.bit_width in (32, 64):
        ints = c.view(pa.int32() if t.bit_width == 32 else pa.int64())
        kind, h = str(t), _mix(pc.fill_null(ints, 0).cast(pa.int64()).to_numpy().view(np.uint64))
    else:
        kind, h = str(t), _text_digests(np.array(
            [json.dumps(v, ensure_ascii=False, sort_keys=True, default=str) for v in c.to_pylist()], object))
    h = _mix(h ^ _kind(kind))
    if c.null_count:
        h[~c.is_valid().to_numpy(zero_copy_only=False)] = _NULL
    return h


def _row_digests(t) -> np.ndarray:
    """A 64-bit digest of each whole row: its columns' value digests combined in column order
    as pandas combines a row's (CPython's tuple hash), vectorised."""
    out = np.full(t.num_rows, 0x345678, np.uint64)
    mult = np.uint64(1000003)
    for i, name in enumerate(t.column_names):
        out ^= _value_digests(t.column(name))
        out *= mult
        mult += np.uint64(82520 + 2 * (t.num_columns - i))
    return out + np.uint64(97531)


def _key_json(batch, pk) -> pa.Array:
    """Each row's key as ``json.dumps(list(key), ensure_ascii=False, default=str)``, the text
    the diff names keys by: built by Arrow for string columns, by ``json`` for a value that
    needs escaping and for a column of another type."""
    parts = []
    for k in pk:
        c = batch.column(k)
        if not (pa.types.is_string(c.type) or pa.types.is_large_string(c.type)):
            parts.append(pa.array([json.dumps(v, ensure_ascii=False, default=str) for v in c.to_pylist()],
                                  pa.string()))
            continue
        c = c.cast(pa.string())
        quoted = pc.binary_join_element_wise('"', c, '"', "")
        odd = pc.fill_null(pc.match_substring_regex(c, _ESCAPED), False)
        if pc.any(odd).as_py():
            escaped = [json.dumps(v, ensure_ascii=False) for v in pc.filter(c, odd).to_pylist()]
            quoted = pc.replace_with_mask(quoted, odd, pa.array(escaped, pa.string()))
        parts.append(pc.fill_null(quoted, "null"))
    inner = pc.binary_join_element_wise(*parts, ", ") if len(parts) > 1 else parts[0]
    return pc.binary_join_element_wise("[", inner, "]", "")


def _key_digests(keys) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    values = keys.to_numpy(zero_copy_only=False)
    return tuple(pd.util.hash_array(values, hash_key=h, categorize=False) for h in _HASH_KEYS)


def _prefixes(keys) -> np.ndarray:
    """The ``_PREFIX`` bytes after each key's "[" as a big-endian integer, zero-padded: a key
    that sorts before another (UTF-8 bytes sort as code points, as ``str`` does) never has a
    larger prefix."""
    n = len(keys)
    if not n:
        return np.empty(0, np.uint64)
    offsets = np.frombuffer(keys.buffers()[1], np.int32)[keys.offset:keys.offset + n + 1]
    data = np.frombuffer(keys.buffers()[2], np.uint8)
    at = (offsets[:-1] + 1)[:, None] + np.arange(_PREFIX)
    inside = at < offsets[1:, None]
    b = np.where(inside, data[np.minimum(at, len(data) - 1)], 0).astype(np.uint64)
    return (b << (np.uint64(8) * np.arange(_PREFIX - 1, -1, -1, dtype=np.uint64))).sum(axis=1, dtype=np.uint64)


@dataclass
class _Side:
    """The rows of one release's differing parts of a table, as arrays in read order."""

    files: list[Path]
    pk: tuple[str, ...]
    ends: np.ndarray  # the row number after each file's last
    k1: np.ndarray
    k2: np.ndarray
    digest: np.ndarray
    prefix: np.ndarray

    @classmethod
    def scan(cls, files: list[Path], pk: tuple[str, ...]) -> _Side:
        cols: dict[str, list[np.ndarray]] = {"k1": [], "k2": [], "digest": [], "prefix": []}
        ends, n = [], 0
        for f in files:
            for batch in stream_parquet(f).iter_batches(batch_size=BATCH_ROWS):
                keys = _key_json(batch, pk)
                k1, k2 = _key_digests(keys)
                for name, a in zip(cols, (k1, k2, _row_digests(batch), _prefixes(keys))):
                    cols[name].append(a)
                n += batch.num_rows
            ends.append(n)
        return cls(list(files), pk, np.array(ends, np.int64),
                   **{name: np.concatenate(a) if a else np.empty(0, np.uint64) for name, a in cols.items()})

    def last_of_each_key(self) -> np.ndarray:
        """The row number of each key's last row (the one a later row of the same key
        overwrites), in key-digest order."""
        n = len(self.k1)
        order = np.lexsort((np.arange(n), self.k2, self.k1))
        s1, s2 = self.k1[order], self.k2[order]
        last = np.ones(n, bool)
        last[:-1] = (s1[:-1] != s1[1:]) | (s2[:-1] != s2[1:])
        return order[last]

    def first_keys(self, rows: np.ndarray, n: int) -> list[str]:
        """The ``n`` smallest keys (JSON) of ``rows``: the rows whose prefix can be among them
        are read back, the key columns only."""
        if n <= 0 or not len(rows):
            return []
        if len(rows) > n:
            p = self.prefix[rows]
            rows = rows[p <= np.partition(p, n - 1)[n - 1]]
        return self._keys_at(np.sort(rows), n)

    def _keys_at(self, rows: np.ndarray, n: int) -> list[str]:
        best: list[str] = []
        in_file = np.searchsorted(self.ends, rows, side="right")
        for i in np.unique(in_file):
            local = rows[in_file == i] - (self.ends[i - 1] if i else 0)
            start = 0
            for batch in stream_parquet(self.files[i]).iter_batches(batch_size=BATCH_ROWS, columns=list(self.pk)):
                at = local[(local >= start) & (local < start + batch.num_rows)] - start
                if len(at):
                    keys = _key_json(batch.take(pa.array(at)), self.pk).to_pylist()
                    best = heapq.nsmallest(n, best + keys)
                start += batch.num_rows
        return sorted(best)


@dataclass
class _Comparison:
    """One table compared: rows per side, counts per kind of change, and the first keys
    (JSON, in order) of each kind, ``n`` of them at most."""

    old_rows: int
    new_rows: int
    unchanged: int
    counts: dict[str, int]
    first: dict[str, list[str]] = field(default_factory=dict)
    n: int = 0


def _compare(a: _Side, b: _Side, same: int, n: int) -> _Comparison:
    ua, ub = a.last_of_each_key(), b.last_of_each_key()
    k1 = np.concatenate((a.k1[ua], b.k1[ub]))
    k2 = np.concatenate((a.k2[ua], b.k2[ub]))
    order = np.lexsort((np.arange(len(k1)), k2, k1))  # a's row before b's of the same key
    k1, k2 = k1[order], k2[order]
    pair = (k1[:-1] == k1[1:]) & (k2[:-1] == k2[1:])  # each side holds a key once
    i, j = order[:-1][pair], order[1:][pair] - len(ua)
    del k1, k2, order, pair
    in_both_a, in_both_b = np.zeros(len(ua), bool), np.zeros(len(ub), bool)
    in_both_a[i], in_both_b[j] = True, True
    old_of, new_of = ua[i], ub[j]
    rows = {"added": (b, ub[~in_both_b]), "removed": (a, ua[~in_both_a]),
            "changed": (b, new_of[a.digest[old_of] != b.digest[new_of]])}
    counts = {kind: len(r) for kind, (_, r) in rows.items()}
    return _Comparison(len(ua) + same, len(ub) + same, len(i) - counts["changed"] + same, counts,
                       {kind: side.first_keys(r, n) for kind, (side, r) in rows.items()}, n)


_LAST: dict = {}  # the last two releases compared: the card's diff and the report's article list ask the same


def _wanted(name: str) -> int:
    return max(EXAMPLES, LISTED) if name == "articles" else EXAMPLES


def _compared(old: Path, new: Path, name: str, n: int | None = None) -> _Comparison:
    """The table compared between the releases (old, new): the rows of the parts that
    differ, and the rows of the parts both hold (the same file, hard-linked), unchanged
    without reading them, since a key is in one part only. ``n`` first keys a kind at least."""
    n = max(n or 0, _wanted(name))
    a, b = _parts(old, name), _parts(new, name)
    memo = (str(old), str(new), name, tuple(sorted(a)), tuple(sorted(b)))
    if memo in _LAST and _LAST[memo].n >= n:
        return _LAST[memo]
    shared = a.keys() & b.keys()
    same = sum(pq.ParquetFile(a[k]).metadata.num_rows for k in shared)
    pk = TABLES[name].primary_key
    out = _compare(_Side.scan([f for k, f in a.items() if k not in shared], pk),
                   _Side.scan([f for k, f in b.items() if k not in shared], pk), same, n)
    if any(k[:2] != memo[:2] for k in _LAST):
        _LAST.clear()
    _LAST[memo] = out
    return out


def diff_releases(old: Path, new: Path) -> dict:
    old, new = Path(old), Path(new)
    tables = {}
    for name in RELEASED:
        c = _compared(old, new, name)
        tables[name] = {
            "old_rows": c.old_rows, "new_rows": c.new_rows, "added": c.counts["added"],
            "removed": c.counts["removed"], "changed": c.counts["changed"], "unchanged": c.unchanged,
            "examples": {kind: c.first[kind][:EXAMPLES] for kind in KINDS},
        }
    return {"old": _version(old), "new": _version(new), "tables": tables}


def _titles(release: Path, other: Path, ids: list[str]) -> dict[str, str | None]:
    """The titles of ``ids``, read from the articles parts of ``release`` that ``other`` does
    not hold (a changed, added or removed article is in one of those), in part order."""
    from pipeline.publish.coverage import titles_of
    from pipeline.publish.stream import TableSource

    if not ids:
        return {}
    shared = _parts(other, "articles").keys()
    files = tuple(f for k, f in _parts(release, "articles").items() if k not in shared)
    return titles_of(TableSource("articles", files=files), ids)


def article_changes(old: Path, new: Path, limit: int = LISTED) -> dict[str, dict]:
    """The articles added, removed and changed between two releases, by id and title (a
    removed one with its title in ``old``): ``{kind: {"count", "articles": [{article_id,
    title}, ...] (at most ``limit``, by id), "more"}}``."""
    old, new = Path(old), Path(new)
    c = _compared(old, new, "articles", limit)
    listed_of = {kind: [json.loads(k)[0] for k in c.first[kind][:limit]] for kind in KINDS}
    titles = {"old": _titles(old, new, listed_of["removed"]),
              "new": _titles(new, old, listed_of["added"] + listed_of["changed"])}
    out = {}
    for kind in KINDS:
        names = titles["old" if kind == "removed" else "new"]
        listed = listed_of[kind]
        out[kind] = {"count": c.counts[kind], "more": max(0, c.counts[kind] - limit),
                     "articles": [{"article_id": i, "title": names.get(i)} for i in listed]}
    return out


def render_markdown(diff: dict) -> str:
    lines = [f"From release {diff['old']} to {diff['new']} (rows matched by primary key):", "",
             "| table | rows before | rows now | added | removed | changed |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, t in diff["tables"].items():
        lines.append(f"| {name} | {t['old_rows']} | {t['new_rows']} | {t['added']} | {t['removed']} | {t['changed']} |")
    return "\n".join(lines)
