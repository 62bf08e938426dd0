"""Files whose pages an earlier run read, known by their stats, so that a run need not open them.

To learn which pages are new, a run on a large input would read and hash every page (a sha256
of every file) and spend a shard task on every 200 files, however few of them are new. The
page ids each file gave are kept in ``OUTPUT/.cache/files.parquet``, keyed on the file's path,
size, mtime, change time and inode (as ``SourceFile`` has them from the listing). Any write to
a file moves its change time, which no tool can set back, and a replaced file has a new
inode: a file that changed misses and is read again. A file whose page ids the latest release
all holds is counted unchanged without being opened.

A run that publishes (or finds nothing new) saves the cache again stamped with the release
(``release_token``), keeping only the files whose every page id it knows that release holds:
the files it read and those it skipped as unchanged. A later "nothing new?" check on a cache
stamped with the latest release then needs only the listing and this file, not the release's
page ids (``covered``).
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.ingest.discover import SourceFile

FILE = Path(".cache") / "files.parquet"

Key = tuple[str, int, int, int, int]
KEY_COLUMNS = ("path", "size", "mtime_ns", "ctime_ns", "inode")


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
        self.confirmed: set[Key] = set()  # files whose pages this run read or found all in ``seen``

    @classmethod
    def load(cls, output_dir: str | Path, options: dict) -> KnownFiles:
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
                self.confirmed.add(key(f))
            else:
                fresh.append(f)
        return fresh, unchanged

    def record(self, read: Iterable[tuple[SourceFile, tuple[str, ...]]]) -> None:
        for f, ids in read:
            k = key(f)
            self.pages[k] = tuple(ids)
            self.confirmed.add(k)

    def save(self, listed: list[SourceFile], release: str | None = None) -> None:
        """Write the entries of the files ``listed`` by this run (others are dropped, so the
        cache stays the size of the input), atomically; a failure to write only costs the
        next run a read. With ``release`` (a ``release_token``: the release this run published
        or found complete), only the ``confirmed`` files, stamped with it."""
        self.rows(listed, confirmed=release is not None).save(release)

    def rows(self, listed: list[SourceFile], confirmed: bool = False) -> KnownRows:
        """The entries of the files ``listed`` (only the ``confirmed`` ones if asked) as one
        Arrow table, ready to be saved: a run holds that, not the listing and this dict (about
        600 bytes a file in Python objects), while it publishes."""
        import pyarrow as pa

        keep = self.confirmed if confirmed else self.pages
        rows = [(k, self.pages[k]) for k in sorted({key(f) for f in listed}) if k in keep and k in self.pages]
        types = {"path": pa.binary(), "size": pa.int64(), "mtime_ns": pa.int64(), "ctime_ns": pa.int64(),
                 "inode": pa.uint64()}
        keys = _key_lists([k for k, _ in rows])
        table = pa.table({
            **{c: pa.array(keys[c], types[c]) for c in KEY_COLUMNS},
            "page_ids": pa.array([list(ids) for _, ids in rows], pa.list_(pa.string())),
            "pages": pa.array([len(ids) for _, ids in rows], pa.int32()),
        })
        return KnownRows(self.path, self.stamp, table)


class KnownRows:
    """Entries of the known files taken out of a ``KnownFiles``, saved as its cache."""

    def __init__(self, path: Path, stamp: str, table) -> None:
        self.path, self.stamp, self.table = path, stamp, table

    def save(self, release: str | None = None) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        meta = {"dgn_stamp": self.stamp, **({"dgn_release": release} if release else {})}
        table = self.table.replace_schema_metadata(meta)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, self.path)
        except (OSError, ValueError, pa.ArrowException):
            tmp.unlink(missing_ok=True)


def covered(output_dir: str | Path, options: dict, release: str, files: list[SourceFile]) -> int | None:
    """How many pages the ``files`` hold when the cache is stamped with ``release`` (every page
    id in it is in that release) and knows every one of them as it is now; None otherwise.
    Reads the keys and page counts, not the ids; when the listing is the cache's files (the
    usual case) the two are compared column by column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(output_dir) / FILE
    try:
        pf = pq.ParquetFile(path)
        meta = pf.schema_arrow.metadata or {}
        if meta.get(b"dgn_stamp", b"").decode() != stamp(options) or meta.get(b"dgn_release", b"").decode() != release:
            return None
        table = pf.read(columns=[*KEY_COLUMNS, "pages"])
    except (OSError, ValueError, KeyError, UnicodeDecodeError, pa.ArrowException):
        return None
    cols = {c: table.column(c).to_pylist() for c in KEY_COLUMNS}  # pa.array of a list would import pandas (0.6 s)
    if table.num_rows == len(files) and cols == _key_lists([key(f) for f in files]):
        return sum(table.column("pages").to_pylist())
    keys = zip(map(os.fsdecode, cols["path"]), *(cols[c] for c in KEY_COLUMNS[1:]))
    counts = dict(zip(keys, table.column("pages").to_pylist()))
    n = 0
    for f in files:
        c = counts.get(key(f))
        if c is None:
            return None
        n += c
    return n


def _key_lists(keys: list[Key]) -> dict[str, list]:
    """The keys as the cache's columns (paths as bytes: any name a disk holds), in order."""
    cols = [list(c) for c in zip(*keys)] or [[] for _ in KEY_COLUMNS]
    cols[0] = [os.fsencode(p) for p in cols[0]]
    return dict(zip(KEY_COLUMNS, cols))
