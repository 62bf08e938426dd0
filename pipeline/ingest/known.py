"""Files whose pages an earlier run read, known by their stats, so that a run need not open them.

To learn which pages are new, a run on a large input would read and hash every page (a sha256
of every file) and spend a shard task on every 200 files, however few of them are new. The
page ids each file gave are kept in ``OUTPUT/.cache/files.parquet``, keyed on the file's path,
size, mtime, change time and inode (as ``SourceFile`` has them from the listing). Any write to
a file moves its change time, which no tool can set back, and a replaced file has a new
inode: a file that changed misses and is read again. A file whose page ids the latest release
all holds is counted unchanged without being opened.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from pipeline.ingest.discover import SourceFile

FILE = Path(".cache") / "files.parquet"

Key = tuple[str, int, int, int, int]


def key(f: SourceFile) -> Key:
    return (f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode)


def stamp(options: dict) -> str:
    """What a file's page ids depend on besides its bytes: the code's version and the limits
    (a page over ``max_page_bytes`` is named by its path, not its bytes)."""
    from pipeline import PIPELINE_VERSION

    return json.dumps({"pipeline": PIPELINE_VERSION, "options": options}, sort_keys=True)


class KnownFiles:
    """The page ids of the files earlier runs on one output folder read, by ``key``."""

    def __init__(self, output_dir: str | Path, options: dict):
        self.path = Path(output_dir) / FILE
        self.stamp = stamp(options)
        self.pages: dict[Key, tuple[str, ...]] = {}

    @classmethod
    def load(cls, output_dir: str | Path, options: dict) -> "KnownFiles":
        """The cache of ``output_dir``; empty when there is none, it cannot be read, or other
        code or options wrote it."""
        known = cls(output_dir, options)
        if not known.path.is_file():
            return known
        import pyarrow.parquet as pq

        try:
            table = pq.ParquetFile(known.path).read()  # read_table would import pandas
            if (table.schema.metadata or {}).get(b"dgn_stamp", b"").decode() != known.stamp:
                return known
            cols = table.to_pydict()
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            return known
        for row in zip(map(os.fsdecode, cols["path"]), cols["size"], cols["mtime_ns"], cols["ctime_ns"], cols["inode"],
                       cols["page_ids"]):
            known.pages[row[:5]] = tuple(row[5])
        return known

    def split(self, files: list[SourceFile], seen: frozenset[str]) -> tuple[list[SourceFile], int]:
        """(the files to read, pages counted unchanged): a file is skipped when it is known and
        every page id it gave is in ``seen``."""
        fresh, unchanged = [], 0
        for f in files:
            ids = self.pages.get(key(f))
            if ids is not None and all(i in seen for i in ids):
                unchanged += len(ids)
            else:
                fresh.append(f)
        return fresh, unchanged

    def record(self, read: Iterable[tuple[SourceFile, tuple[str, ...]]]) -> None:
        for f, ids in read:
            self.pages[key(f)] = tuple(ids)

    def save(self, listed: list[SourceFile]) -> None:
        """Write the entries of the files ``listed`` by this run (others are dropped, so the
        cache stays the size of the input), atomically; a failure to write only costs the
        next run a read."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [(k, self.pages[k]) for k in sorted({key(f) for f in listed}) if k in self.pages]
        table = pa.table({
            "path": pa.array([os.fsencode(k[0]) for k, _ in rows], pa.binary()),  # any name a disk holds
            "size": pa.array([k[1] for k, _ in rows], pa.int64()),
            "mtime_ns": pa.array([k[2] for k, _ in rows], pa.int64()),
            "ctime_ns": pa.array([k[3] for k, _ in rows], pa.int64()),
            "inode": pa.array([k[4] for k, _ in rows], pa.uint64()),
            "page_ids": pa.array([list(ids) for _, ids in rows], pa.list_(pa.string())),
        }).replace_schema_metadata({"dgn_stamp": self.stamp})
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, self.path)
        except (OSError, ValueError, pa.ArrowException):
            tmp.unlink(missing_ok=True)
