"""Spill a run to disk so that its memory does not grow with the number of pages.

Each shard's kept candidates (bodies, extracted records) are pickled into
``<output>/.staging/<run>/`` as the shard's result arrives; the flow keeps one light entry a
page (``dedupe.groups.light``: ids, flags, date, length and MinHash signature, under 1 KB) for
dedupe, then reads the candidates back one shard at a time to write the tables, which go to
Parquet in the same folder batch by batch (``TableSpool``). The folder is removed when the run
ends, however it ends; a killed run's folder is swept by the next run on the same output.
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.dedupe.groups import light
from pipeline.tables import TABLES, sort_by_key, to_arrow

ROOT = ".staging"


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
            with open(self.folder / f"shard-{index:05d}.pkl", "wb") as fh:
                pickle.dump(kept, fh, protocol=pickle.HIGHEST_PROTOCOL)
            self._shards.append(index)
        return [light(c) for c in kept]

    def shards(self) -> Iterator[list[dict]]:
        """The candidates of every stored shard, in shard order, one shard in memory at a time."""
        for index in sorted(self._shards):
            with open(self.folder / f"shard-{index:05d}.pkl", "rb") as fh:
                yield pickle.load(fh)

    def spool(self) -> "TableSpool":
        return TableSpool(self.folder / "tables")


class TableSpool:
    """Rows of the released tables written to Parquet as they come, read back as Arrow at the end."""

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

    def finish(self, names: tuple[str, ...]) -> dict[str, pa.Table]:
        """Every table, sorted by its key (an empty table for one that got no rows)."""
        for w in self._writers.values():
            w.close()
        out = {}
        for name in names:
            if name in self._writers:
                out[name] = sort_by_key(name, pq.read_table(self.folder / f"{name}.parquet"))
            else:
                out[name] = TABLES[name].schema.empty_table()
        self._writers.clear()
        return out
