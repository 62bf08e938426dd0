"""A released table read in row batches, from memory or from Parquet files, so that what
validates and writes a release holds one batch at a time, never the whole release.

``TableSource`` names the table's rows (an Arrow table, or Parquet files: one file or a
folder of parts read in name order) and the primary keys left out of it (rows quarantined
by validation). ``ParquetSink`` writes batches as row groups of a fixed number of rows, so
the same rows make the same bytes however they were batched on the way.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.tables import TABLES

BATCH_BYTES = 16 << 20  # Arrow bytes a batch aims at: GX holds several times a batch while it validates one
MAX_BATCH_ROWS = 20_000
MIN_BATCH_ROWS = 500
SCAN_ROWS = 1 << 16  # rows a batch when only keys are read: with rows left out, every key column
# is read to match them (statistics' evidence and raw, quotes' text), 1 << 20 rows held 500 MiB
ROW_GROUP_BYTES = 32 << 20  # the row group size is picked from the schema, never from the data seen
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 9, "use_dictionary": True, "write_statistics": True}


def stream_parquet(path):
    """A Parquet file opened to be read batch by batch. pyarrow's default ``pre_buffer`` keeps
    the bytes of every row group an ``iter_batches`` has read until the iteration ends, so a
    batch-by-batch read held the whole file (412 MiB for the articles of 89,350 pages, against
    30 MiB without it; cf. apache/arrow#39808), and was slower."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path, pre_buffer=False)


def parquet_files(path: Path) -> tuple[Path, ...]:
    """A Parquet file, or the parts of a dataset folder in name order."""
    path = Path(path)
    if path.is_dir():
        return tuple(sorted(path.glob("*.parquet")))
    return (path,)


@dataclass(frozen=True)
class TableSource:
    name: str
    table: pa.Table | None = None
    files: tuple[Path, ...] = ()
    drop: frozenset[str] = frozenset()  # primary keys (``tables.row_key`` JSON) left out

    @classmethod
    def of(cls, name: str, value) -> "TableSource":
        """From a TableSource, an Arrow table, rows (dicts) or a Parquet file or folder."""
        from pipeline.tables import to_arrow

        if isinstance(value, TableSource):
            return value
        if isinstance(value, pa.Table):
            return cls(name, table=value.cast(TABLES[name].schema))
        if isinstance(value, (str, Path)):
            return cls(name, files=parquet_files(Path(value)))
        return cls(name, table=to_arrow(name, list(value or [])))

    def without(self, keys: Iterable[str]) -> "TableSource":
        keys = frozenset(keys)
        return replace(self, drop=self.drop | keys) if keys - self.drop else self

    @property
    def schema(self) -> pa.Schema:
        return TABLES[self.name].schema

    def batch_rows(self, target: int | None = None) -> int:
        """Rows a batch: about ``target`` (default ``BATCH_BYTES``) of Arrow data. For files, the size a row is
        measured on the first row group read as Arrow: the footer's encoded sizes undercount
        repetitive text (dictionary pages), which made batches several times too big."""
        import pyarrow.parquet as pq

        if self.table is not None:
            rows, size = self.table.num_rows, self.table.nbytes
        else:
            rows = size = 0
            for f in self.files:
                pf = pq.ParquetFile(f)
                if pf.metadata.num_row_groups and pf.metadata.row_group(0).num_rows:
                    sample = pf.read_row_group(0)
                    rows, size = sample.num_rows, sample.nbytes
                    break
        per_row = max(1, size // rows) if rows else 1
        return max(MIN_BATCH_ROWS, min(MAX_BATCH_ROWS, (target or BATCH_BYTES) // per_row))

    def _raw(self, columns: list[str] | None, rows: int) -> Iterator[pa.Table]:
        if self.table is not None:
            t = self.table if columns is None else self.table.select(columns)
            for b in t.to_batches(max_chunksize=rows):
                yield pa.Table.from_batches([b], schema=t.schema)
            return
        schema = self.schema if columns is None else pa.schema([self.schema.field(c) for c in columns])
        for f in self.files:
            pf = stream_parquet(f)
            present = [c for c in (columns or self.schema.names) if c in pf.schema_arrow.names]
            for b in pf.iter_batches(batch_size=rows, columns=present):
                t = pa.Table.from_batches([b])
                for c in schema.names:
                    if c not in t.column_names:  # a column an older part lacks
                        t = t.append_column(c, pa.nulls(t.num_rows, schema.field(c).type))
                yield t.select(schema.names).cast(schema)

    def batches(self, columns: list[str] | None = None, rows: int | None = None) -> Iterator[pa.Table]:
        """The rows in order, ``rows`` at a time (fewer where a file ends), minus ``drop``."""
        rows = rows or self.batch_rows()
        if not self.drop:
            yield from self._raw(columns, rows)
            return
        pk = list(TABLES[self.name].primary_key)
        wanted = None if columns is None else list(dict.fromkeys([*columns, *pk]))
        for t in self._raw(wanted, rows):
            t = t.filter(keep_mask(self.name, t, self.drop))
            yield t if columns is None else t.select(columns)

    def column(self, name: str) -> pa.ChunkedArray:
        """One column of the whole table (key columns: what uniqueness and references need)."""
        chunks = [t.column(name) for t in self.batches([name], rows=SCAN_ROWS)]
        return pa.chunked_array([c for ch in chunks for c in ch.chunks], type=self.schema.field(name).type)

    def read(self, columns: list[str] | None = None) -> pa.Table:
        parts = list(self.batches(columns, rows=1 << 20))
        schema = self.schema if columns is None else pa.schema([self.schema.field(c) for c in columns])
        return pa.concat_tables(parts) if parts else schema.empty_table()

    @property
    def num_rows(self) -> int:
        import pyarrow.parquet as pq

        if self.drop:
            pk = TABLES[self.name].primary_key[0]
            return sum(t.num_rows for t in self.batches([pk], rows=SCAN_ROWS))
        if self.table is not None:
            return self.table.num_rows
        return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)


def keep_mask(name: str, table: pa.Table, drop: frozenset[str]) -> pa.Array:
    """False for the rows whose primary key is in ``drop``. Keys are compared as JSON only for
    rows whose first key column matches one of them (a cheap Arrow pre-filter)."""
    from pipeline.tables import row_key

    pk = list(TABLES[name].primary_key)
    firsts = [json.loads(k)[0] for k in drop]
    values = pa.array([v for v in firsts if v is not None], type=pa.string())
    first = table.column(pk[0])
    maybe = pc.is_in(first, value_set=values)
    if any(v is None for v in firsts):
        maybe = pc.or_(pc.fill_null(maybe, False), pc.is_null(first))
    maybe = pc.fill_null(maybe, False)
    if not pc.any(maybe).as_py():
        return pa.array([True] * table.num_rows, type=pa.bool_())
    hits = set(pc.indices_nonzero(maybe).to_pylist())
    rows = table.select(pk)
    keep = [True] * table.num_rows
    for i in hits:
        row = {k: rows.column(k)[i].as_py() for k in pk}
        keep[i] = row_key(name, row) not in drop
    return pa.array(keep, type=pa.bool_())


def row_group_rows(schema: pa.Schema) -> int:
    """Rows a row group: about ``ROW_GROUP_BYTES``, from the schema's width (text columns
    counted as 1 KB each), so that the same rows always make the same row groups."""
    width = 0
    for f in schema:
        width += 1024 if (pa.types.is_string(f.type) or pa.types.is_list(f.type)) else 8
    return max(1024, ROW_GROUP_BYTES // width)


class ParquetSink:
    """Write batches to one Parquet file in row groups of ``row_group_rows`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, rows: int | None = None, options: dict | None = None):
        import pyarrow.parquet as pq

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.rows = rows or row_group_rows(schema)
        self.count = 0
        self._buf: list[pa.Table] = []
        self._held = 0
        self._writer = pq.ParquetWriter(str(path), schema, **(PARQUET_OPTIONS if options is None else options))

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self._buf.append(table)
        self._held += table.num_rows
        self.count += table.num_rows
        while self._held >= self.rows:
            self._flush(self.rows)

    def _flush(self, n: int) -> None:
        whole = pa.concat_tables(self._buf)
        head, rest = whole.slice(0, n), whole.slice(n)
        self._writer.write_table(head.combine_chunks(), row_group_size=n)
        self._buf = [rest] if rest.num_rows else []
        self._held = rest.num_rows

    def close(self) -> int:
        if self._held:
            self._flush(self._held)
        if self.count == 0:
            self._writer.write_table(self.schema.empty_table())
        self._writer.close()
        return self.count

    def __enter__(self) -> "ParquetSink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
