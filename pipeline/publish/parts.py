"""Write a release's tables as parts, and carry the previous release's parts into the next.

A full release writes every table from part 0. An incremental one hard-links the parts of
the previous release it keeps (a copy where the file system cannot link), rewrites as new
parts only those holding an old row that changes (an article whose ``duplicate_count``
grows), and writes the new rows as parts numbered after the previous release's. A file of
the previous release is never opened for writing. Each part is recorded with its rows,
sha256 and bytes (from the previous manifest for a carried part: old data is not hashed
again) and the release that wrote it.
"""
from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.publish import layout

WHOLE = ("organizations",)  # aggregates over every article: written whole each release


@dataclass
class Carry:
    """What an incremental release keeps of the previous one: its folder and manifest, and
    the duplicates this run adds to old articles (``article_id`` -> pages)."""

    release: Path
    manifest: dict
    duplicate_add: dict[str, int] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.manifest.get("version", Path(self.release).name)

    def parts(self, name: str) -> list[dict]:
        """The previous release's parts of ``name``: from its manifest, or (a release written
        before the manifest listed parts) from its folder."""
        listed = (self.manifest.get("parts") or {}).get(name)
        if listed is not None:
            return listed
        files = self.manifest.get("files", {})
        out = []
        csvs = layout.table_files(self.release, name, "csv")
        for i, f in enumerate(layout.table_files(self.release, name)):
            pq_rel = layout.rel(f, self.release)
            csv_rel = layout.rel(csvs[i], self.release) if i < len(csvs) else None
            out.append({"part": i, "rows": None, "release": self.version,
                        "parquet": {"path": pq_rel, **files.get(pq_rel, {})},
                        "csv": {"path": csv_rel, **files.get(csv_rel, {})} if csv_rel else None})
        return out


def link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _file_entry(folder: Path, path: Path) -> dict:
    from pipeline.publish.release import sha256_file

    digest, size = sha256_file(path)
    return {"path": layout.rel(path, folder), "sha256": digest, "bytes": size}


class PartWriter:
    """Rows in, parts of ``part_rows`` rows out (Parquet and CSV), numbered from ``first``:
    the cut depends on the row count only, so the same rows make the same files."""

    def __init__(self, folder: Path, name: str, schema: pa.Schema, first: int, version: str):
        self.folder, self.name, self.schema, self.version = folder, name, schema, version
        self.number = first
        self.parts: list[dict] = []
        self._pq = self._csv = None
        self._rows = 0

    def _open(self) -> None:
        from pipeline.publish.csv_export import CsvSink
        from pipeline.publish.stream import ParquetSink

        self._pq = ParquetSink(layout.parquet_path(self.folder, self.name, self.number), self.schema)
        self._csv = CsvSink(layout.csv_path(self.folder, self.name, self.number), self.schema.names)
        self._rows = 0

    def _close(self) -> None:
        self._pq.close()
        self._csv.close()
        self.parts.append({
            "part": self.number, "rows": self._rows, "release": self.version,
            "parquet": _file_entry(self.folder, layout.parquet_path(self.folder, self.name, self.number)),
            "csv": _file_entry(self.folder, layout.csv_path(self.folder, self.name, self.number))})
        self.number += 1
        self._pq = self._csv = None

    def write(self, table: pa.Table) -> None:
        while table.num_rows:
            if self._pq is None:
                self._open()
            cap = layout.part_rows(self.name)
            take = min(table.num_rows, cap - self._rows)
            head, table = table.slice(0, take), table.slice(take)
            self._pq.write(head)
            self._csv.write(head)
            self._rows += take
            if self._rows == cap:
                self._close()

    def close(self, empty_part: bool = False) -> list[dict]:
        """The parts written; ``empty_part``: one part of no rows when none was written (a
        table is never an empty folder, which readers refuse)."""
        if self._pq is None and empty_part and not self.parts:
            self._open()
        if self._pq is not None:
            self._close()
        return self.parts


def write_parts(src, folder: Path, version: str, first: int = 0, empty_part: bool = True) -> list[dict]:
    writer = PartWriter(folder, src.name, src.schema, first, version)
    for batch in src.batches():
        writer.write(batch)
    return writer.close(empty_part)


def _link_part(carry: Carry, part: dict, folder: Path) -> dict:
    """The previous release's part, hard-linked under the same name (a part of an older
    release's one-file layout becomes ``part-00000``)."""
    out = {"part": part["part"], "rows": part.get("rows"), "release": part.get("release", carry.version)}
    for kind in ("parquet", "csv"):
        entry = part.get(kind)
        if not entry:
            continue
        src = Path(carry.release) / entry["path"]
        number = part["part"]
        dst = (layout.parquet_path if kind == "parquet" else layout.csv_path)(folder, _table_of(entry["path"]), number)
        link_or_copy(src, dst)
        if entry.get("sha256") and entry.get("bytes") is not None:
            out[kind] = {"path": layout.rel(dst, folder), "sha256": entry["sha256"], "bytes": entry["bytes"]}
        else:
            out[kind] = _file_entry(folder, dst)
    if out["rows"] is None:
        import pyarrow.parquet as pq

        out["rows"] = pq.ParquetFile(folder / out["parquet"]["path"]).metadata.num_rows
    return out


def _table_of(rel_path: str) -> str:
    """``data/articles.parquet/part-00001.parquet`` or ``data/articles.parquet`` -> ``articles``."""
    p = Path(rel_path)
    return Path(p.parent.name).stem if layout.PART_NAME.match(p.name) else p.stem


def _touched(carry: Carry, parts: list[dict]) -> set[int]:
    """Parts holding an article whose ``duplicate_count`` grows (read: the key column only)."""
    import pyarrow.parquet as pq

    if not carry.duplicate_add:
        return set()
    wanted = pa.array(sorted(carry.duplicate_add), type=pa.string())
    out = set()
    for p in parts:
        ids = pq.ParquetFile(Path(carry.release) / p["parquet"]["path"]).read(columns=["article_id"]).column(0)
        if pc.any(pc.is_in(ids, value_set=wanted)).as_py():
            out.add(p["part"])
    return out


def _add_duplicates(table: pa.Table, add: dict[str, int]) -> pa.Table:
    ids = table.column("article_id").to_pylist()
    i = table.schema.get_field_index("duplicate_count")
    counts = [c + add.get(a, 0) for a, c in zip(ids, table.column(i).to_pylist())]
    return table.set_column(i, table.schema.field(i), pa.array(counts, table.schema.field(i).type))


def _rewrite(carry: Carry, part: dict, rows: pa.Table, folder: Path, number: int, version: str) -> list[dict]:
    """An old articles part with its new ``duplicate_count``s, as new part ``number``: the
    Parquet written again, the CSV copied from the old part but for the changed records
    (``csv_export.rewrite_rows``), which is what writing it whole makes."""
    from pipeline.publish.csv_export import rewrite_rows
    from pipeline.publish.stream import ParquetSink

    name = "articles"
    updated = _add_duplicates(rows, carry.duplicate_add)
    old_csv = Path(carry.release) / part["csv"]["path"] if part.get("csv") else None
    if rows.num_rows > layout.part_rows(name) or old_csv is None or not old_csv.is_file():
        writer = PartWriter(folder, name, rows.schema, number, version)
        writer.write(updated)
        return writer.close()
    hit = pc.fill_null(pc.is_in(rows.column("article_id"), value_set=pa.array(sorted(carry.duplicate_add), pa.string())),
                       False)
    changed = pc.indices_nonzero(hit).to_pylist()
    pq_path, csv_path = layout.parquet_path(folder, name, number), layout.csv_path(folder, name, number)
    with ParquetSink(pq_path, rows.schema) as sink:
        sink.write(updated)
    try:
        rewrite_rows(old_csv, csv_path, updated, changed)
    except (ValueError, StopIteration, UnicodeDecodeError, csv.Error):  # not a CSV as this code writes it
        from pipeline.publish.csv_export import write_csv

        write_csv(updated, csv_path)
    return [{"part": number, "rows": rows.num_rows, "release": version,
             "parquet": _file_entry(folder, pq_path), "csv": _file_entry(folder, csv_path)}]


def carry_table(carry: Carry, src, folder: Path, version: str) -> list[dict]:
    """The previous release's parts of the table, linked or (holding a changed article)
    rewritten, then the new rows of ``src`` as new parts."""
    from pipeline.publish.stream import TableSource

    name = src.name
    old = carry.parts(name)
    touched = _touched(carry, old) if name == "articles" else set()
    parts = [_link_part(carry, p, folder) for p in old if p["part"] not in touched]
    following = max((p["part"] for p in old), default=-1) + 1
    for p in old:
        if p["part"] in touched:
            rows = TableSource.of(name, Path(carry.release) / p["parquet"]["path"]).read()
            new = _rewrite(carry, p, rows, folder, following, version)
            parts += new
            following += len(new)
    parts += write_parts(src, folder, version, following, empty_part=not parts)
    return sorted(parts, key=lambda p: p["part"])


def carried_sources(carry: Carry) -> dict:
    """The previous release's tables (but the whole-release aggregates) as ``TableSource``s:
    validated when it was published, read again for the whole-table checks on key columns.
    A rewritten part holds the same keys as the part it replaces."""
    from pipeline.publish.stream import TableSource
    from pipeline.tables import RELEASED

    return {name: TableSource(name, files=tuple(Path(carry.release) / p["parquet"]["path"] for p in carry.parts(name)))
            for name in RELEASED if name not in WHOLE}
