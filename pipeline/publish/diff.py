"""What changed between two releases: rows added, removed and changed, per table, by key.

Only the parts that differ are read: a part both releases hold (hard-linked) is unchanged."""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.publish.layout import table_files
from pipeline.tables import RELEASED, TABLES

EXAMPLES = 5
LISTED = 50  # articles named per kind of change; the rest are counted


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


def _row_digests(t) -> list[int]:
    """A 64-bit digest of each whole row, vectorised (pandas' row hash; a list column as its
    length and its items joined)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = {}
    for name in t.column_names:
        c = t.column(name)
        if pa.types.is_list(c.type):
            n = pc.fill_null(pc.cast(pc.list_value_length(c), pa.string()), "null")
            c = pc.binary_join_element_wise(n, pc.fill_null(pc.binary_join(c, "\x1f"), ""), "\x1e")
        cols[name] = c
    return pd.util.hash_pandas_object(pa.table(cols).to_pandas(), index=False, categorize=False).tolist()


def _rows_of(files, name: str) -> dict[str, int]:
    """key (JSON array) -> digest of the whole row, over ``files``."""
    import pyarrow.parquet as pq

    pk = TABLES[name].primary_key
    out = {}
    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=8192):  # a release can outgrow memory as rows
            keys = zip(*(batch.column(k).to_pylist() for k in pk))
            for key, digest in zip(keys, _row_digests(batch)):
                out[json.dumps(list(key), ensure_ascii=False, default=str)] = digest
    return out


_LAST: dict = {}  # the last two releases compared: the card's diff and the report's article list ask the same


def _compared(old: Path, new: Path, name: str) -> tuple[dict[str, int], dict[str, int], int]:
    """The rows of the parts that differ between the releases (old, new), and the rows of the
    parts both hold (the same file, hard-linked): those are unchanged without reading them,
    since a key is in one part only."""
    import pyarrow.parquet as pq

    a, b = _parts(old, name), _parts(new, name)
    memo = (str(old), str(new), name, tuple(sorted(a)), tuple(sorted(b)))
    if memo in _LAST:
        return _LAST[memo]
    shared = a.keys() & b.keys()
    same = sum(pq.ParquetFile(a[k]).metadata.num_rows for k in shared)
    out = (_rows_of([f for k, f in a.items() if k not in shared], name),
           _rows_of([f for k, f in b.items() if k not in shared], name), same)
    if any(k[:2] != memo[:2] for k in _LAST):
        _LAST.clear()
    _LAST[memo] = out
    return out


def diff_releases(old: Path, new: Path) -> dict:
    old, new = Path(old), Path(new)
    tables = {}
    for name in RELEASED:
        a, b, same = _compared(old, new, name)
        added = sorted(b.keys() - a.keys())
        removed = sorted(a.keys() - b.keys())
        changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
        tables[name] = {
            "old_rows": len(a) + same, "new_rows": len(b) + same, "added": len(added), "removed": len(removed),
            "changed": len(changed), "unchanged": len(a.keys() & b.keys()) - len(changed) + same,
            "examples": {"added": added[:EXAMPLES], "removed": removed[:EXAMPLES], "changed": changed[:EXAMPLES]},
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
    a, b, _ = _compared(old, new, "articles")
    ids = {"added": sorted(b.keys() - a.keys()), "removed": sorted(a.keys() - b.keys()),
           "changed": sorted(k for k in a.keys() & b.keys() if a[k] != b[k])}
    listed_of = {kind: [json.loads(k)[0] for k in keys[:limit]] for kind, keys in ids.items()}
    titles = {"old": _titles(old, new, listed_of["removed"]),
              "new": _titles(new, old, listed_of["added"] + listed_of["changed"])}
    out = {}
    for kind, keys in ids.items():
        names = titles["old" if kind == "removed" else "new"]
        listed = listed_of[kind]
        out[kind] = {"count": len(keys), "more": max(0, len(keys) - limit),
                     "articles": [{"article_id": i, "title": names.get(i)} for i in listed]}
    return out


def render_markdown(diff: dict) -> str:
    lines = [f"From release {diff['old']} to {diff['new']} (rows matched by primary key):", "",
             "| table | rows before | rows now | added | removed | changed |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, t in diff["tables"].items():
        lines.append(f"| {name} | {t['old_rows']} | {t['new_rows']} | {t['added']} | {t['removed']} | {t['changed']} |")
    return "\n".join(lines)
