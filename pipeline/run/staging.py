"""Spill a run to disk so that its memory does not grow with the number of pages.

Each shard's kept candidates (bodies, extracted records) are pickled into
``<output>/.staging/<run>/`` as the shard's result arrives; the flow keeps one light entry a
page (``dedupe.lights.light``: ids, flags, date, length and MinHash signature, under 1 KB) for
dedupe, then reads the candidates back one shard at a time to write the tables, which go to
Parquet in the same folder batch by batch (``TableSpool``), and are handed to the publish as
sorted Parquet files, never as whole tables in memory. The folder is removed when the run
ends, however it ends; a killed run's folder is swept by the next run on the same output.
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.dedupe.lights import light
from pipeline.publish.stream import TableSource, stream_parquet
from pipeline.tables import TABLES, sort_by_key, to_arrow

ROOT = ".staging"
BUCKET_BYTES = 16 << 20  # Arrow bytes of rows sorted in memory at a time
SORTED_GROUP_BYTES = 8 << 20  # Arrow bytes a row group of a sorted file
SAMPLES_A_BUCKET = 64  # key values sampled a bucket, to place the bucket bounds


class Staging:
    """One run's scratch folder; use as a context manager (the holder must hold ``run_lock``)."""

    def __init__(self, output_dir: str | Path):
        root = Path(output_dir) / ROOT
        if root.is_dir():
            for old in root.iterdir():
                shutil.rmtree(old, ignore_errors=True)
        root.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=root))
        self._shards: list[int] = []
        self._ids: dict[int, tuple[str, ...]] = {}  # page ids of each stored shard

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            self.folder.parent.rmdir()
        except OSError:
            pass

    def put(self, index: int, kept: list[dict]) -> list[dict]:
        """Store a shard's candidates; return their light entries."""
        if kept:
            with open(self.path(index), "wb") as fh:
                pickle.dump(kept, fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._shards.append(index)
            self._ids[index] = tuple(c["page_id"] for c in kept)
        return [light(c) for c in kept]

    def path(self, index: int) -> Path:
        return self.folder / f"shard-{index:05d}.pkl"

    def pages(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        """The index and page ids of every stored shard, in shard order."""
        for index in sorted(self._shards):
            yield index, self._ids[index]

    def shards(self) -> Iterator[list[dict]]:
        """The candidates of every stored shard, in shard order, one shard in memory at a time."""
        for index in sorted(self._shards):
            with open(self.path(index), "rb") as fh:
                yield pickle.load(fh)

    def spool(self) -> "TableSpool":
        return TableSpool(self.folder / "tables")


class TableSpool:
    """Rows of the released tables written to Parquet as they come, handed on as sorted
    Parquet files at the end.

    The sort is external: a table larger than ``BUCKET_BYTES`` is split by ranges of its
    first key column (bounds from a sample of that column) into bucket files, and each
    bucket is sorted alone; the buckets, in range order, are the table in key order. Rows
    with the same key fall in one bucket and keep their order there, so the rows come out in
    the order of one stable sort of the whole table (``tables.sort_by_key``)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}

    def add(self, name: str, rows: list[dict]) -> None:
        if not rows:
            return
        if name not in self._writers:
            self._writers[name] = pq.ParquetWriter(self.folder / f"{name}.parquet", TABLES[name].schema,
                                                   compression="lz4")
        self._writers[name].write_table(to_arrow(name, rows))

    def finish(self, names: tuple[str, ...]) -> dict[str, TableSource]:
        """Every table as its sorted Parquet files (an empty table for one that got no rows)."""
        for w in self._writers.values():
            w.close()
        out = {}
        for name in names:
            if name in self._writers:
                out[name] = TableSource(name, files=sort_file(name, self.folder / f"{name}.parquet",
                                                              self.folder / "sorted" / name))
            else:
                out[name] = TableSource(name, table=TABLES[name].schema.empty_table())
        self._writers.clear()
        return out


def _row_bytes(pf: pq.ParquetFile) -> int:
    """Arrow bytes a row, measured on the first row group."""
    for i in range(pf.metadata.num_row_groups):
        rg = pf.read_row_group(i)
        if rg.num_rows:
            return max(1, rg.nbytes // rg.num_rows)
    return 1


def bucket_bounds(name: str, pf: pq.ParquetFile, buckets: int) -> list:
    """Up to ``buckets - 1`` increasing non-null values of the first key column that cut the
    rows into ranges of about equal size, from a strided sample of the column."""
    key = TABLES[name].primary_key[0]
    n = pf.metadata.num_rows
    stride = max(1, n // (buckets * SAMPLES_A_BUCKET))
    sample, seen = [], 0
    for b in pf.iter_batches(batch_size=1 << 16, columns=[key]):
        col = b.column(0)
        first = (-seen) % stride
        if first < len(col):
            sample.extend(v for v in col.take(pa.array(range(first, len(col), stride))).to_pylist() if v is not None)
        seen += len(col)
    sample.sort()
    cuts = [sample[len(sample) * k // buckets] for k in range(1, buckets)] if sample else []
    return sorted(set(cuts))


def bucket_of(values: pa.Array, bounds: list) -> np.ndarray:
    """The bucket of each value: how many bounds are <= it (a null: 0, nulls sort first).
    Python's order of ``str`` is Arrow's (code points, the order of UTF-8 bytes)."""
    nulls = values.is_null().to_numpy(zero_copy_only=False)
    filled = np.array(["" if v is None else v for v in values.to_pylist()] if len(values) else [], dtype=object)
    out = np.searchsorted(np.array(bounds, dtype=object), filled, side="right") if bounds else np.zeros(len(filled), int)
    out = np.asarray(out, dtype=np.int64)
    out[nulls] = 0
    return out


def sort_file(name: str, path: Path, folder: Path, bucket_bytes: int | None = None) -> tuple[Path, ...]:
    """The rows of the Parquet file ``path`` in key order, as sorted Parquet files under
    ``folder`` (read in name order). At most about ``bucket_bytes`` of rows are in memory."""
    pf = stream_parquet(path)
    schema = TABLES[name].schema
    per_row = _row_bytes(pf)
    total = pf.metadata.num_rows * per_row
    buckets = max(1, -(-total // (bucket_bytes or BUCKET_BYTES)))
    bounds = bucket_bounds(name, pf, buckets) if buckets > 1 else []
    folder.mkdir(parents=True, exist_ok=True)
    if bounds:
        raw = folder / "unsorted"
        raw.mkdir(exist_ok=True)
        writers: dict[int, pq.ParquetWriter] = {}
        key = TABLES[name].primary_key[0]
        for b in pf.iter_batches(batch_size=max(1, (8 << 20) // per_row)):
            t = pa.Table.from_batches([b])
            which = bucket_of(t.column(key).combine_chunks(), bounds)
            for k in np.unique(which):
                if int(k) not in writers:
                    writers[int(k)] = pq.ParquetWriter(raw / f"{int(k):05d}.parquet", schema, compression="lz4")
                writers[int(k)].write_table(t.filter(pa.array(which == k)))
        for w in writers.values():
            w.close()
        del pf
        path.unlink()
        pieces = [raw / f"{k:05d}.parquet" for k in sorted(writers)]
    else:
        pieces = [path]
    group = max(1, SORTED_GROUP_BYTES // per_row)
    out = []
    for i, piece in enumerate(pieces):
        target = folder / f"bucket-{i:05d}.parquet"
        pq.write_table(sort_by_key(name, pq.ParquetFile(piece).read()), target, compression="lz4",
                       row_group_size=group)
        pa.default_memory_pool().release_unused()  # else each bucket's pages stay resident
        piece.unlink()
        out.append(target)
    if bounds:
        raw.rmdir()
    return tuple(out)
