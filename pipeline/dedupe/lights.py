"""What dedupe reads of every kept page, held column by column so that a run's memory does
not grow by a Python dict a page.

A light entry as a dict (``light``) takes about 1.6 KB; here a page is its MinHash
signature (512 bytes in one uint32 matrix), its ids, path and url in Arrow string arrays and
three numbers: about 0.7 KB, in a few large buffers that are given back whole when dropped
(a million small dicts leave the heap fragmented). ``entries`` hands the dicts back one
at a time, in the order the pages were added; ``spill`` moves the columns to a file while the
publish runs.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.dedupe.ids import article_id
from pipeline.dedupe.near import DEFAULT, signature

STRINGS = ("page_id", "path", "url", "content_id")
SPILL_ROWS = 8192  # a spilled store's row group: what a batch-by-batch read of it holds at once
_TS = pa.timestamp("us", tz="UTC")


def content_id(c: dict) -> str:
    """The id of the candidate's body (``stages.candidate`` computes it once, in the shard)."""
    return c.get("content_id") or article_id(c["metadata"].get("body", ""))


def body_signature(c: dict) -> np.ndarray:
    sig = c.get("sig")
    return signature(c["metadata"].get("body", "")) if sig is None else sig


def body_chars(c: dict) -> int:
    return c["chars"] if "chars" in c else len(c["metadata"].get("body", ""))


def light(c: dict) -> dict:
    """What dedupe reads of a candidate: about 1.6 KB in memory, where the whole candidate takes ~12 KB."""
    return {"page_id": c["page_id"], "path": c["path"], "url": c["url"], "flags": c["flags"],
            "content_id": content_id(c), "sig": body_signature(c), "chars": body_chars(c),
            "metadata": {"published_at": c["metadata"].get("published_at")}}


class Lights:
    """The light entries of a run's kept pages, added a shard at a time."""

    def __init__(self) -> None:
        self._chunks: list[dict] = []
        self._table: pa.Table | None = None
        self._sigs: np.ndarray | None = None
        self._spilled: Path | None = None
        self._last: dict[str, int] | None = None
        self._rows = 0

    def add(self, entries: list[dict]) -> None:
        """Store ``entries`` (``light`` dicts) as columns."""
        if not entries:
            return
        self._merged()  # a spilled or finished store takes more pages as a new chunk
        cols = {k: pa.array([e[k] for e in entries], pa.string()) for k in STRINGS}
        cols["flags"] = pa.array([list(e["flags"]) for e in entries], pa.list_(pa.string()))
        cols["chars"] = pa.array([e["chars"] for e in entries], pa.int64())
        cols["published_at"] = pa.array([_aware(e["metadata"].get("published_at")) for e in entries], _TS)
        self._rows += len(entries)
        self._chunks.append({"table": pa.table(cols),
                             "sigs": np.vstack([np.asarray(e["sig"], dtype=np.uint32) for e in entries])})
        self._last = None

    def _merged(self) -> None:
        if self._spilled is not None:
            self._load()
        if self._table is not None:
            self._chunks.insert(0, {"table": self._table, "sigs": self._sigs})
            self._table = self._sigs = None

    def _columns(self) -> tuple[pa.Table, np.ndarray]:
        if self._spilled is not None:
            self._load()
        if self._table is None:
            tables = [c["table"] for c in self._chunks]
            sigs = [c["sigs"] for c in self._chunks]
            self._chunks = []
            self._table = pa.concat_tables(tables).combine_chunks() if tables else _empty()
            self._sigs = np.vstack(sigs) if sigs else np.zeros((0, DEFAULT.permutations), np.uint32)
        return self._table, self._sigs

    def columns(self, without: frozenset[str] = frozenset()) -> tuple[pa.Table, np.ndarray]:
        """The entries as one table (ids, path, url, flags, chars, published_at) and the
        signature matrix, row for row, in the order they were added (read back if spilled);
        ``without``: page ids left out."""
        table, sigs = self._columns()
        if not without:
            return table, sigs
        keep = pc.invert(pc.is_in(table.column("page_id"), value_set=pa.array(sorted(without), pa.string())))
        return table.filter(keep), sigs[keep.to_numpy(zero_copy_only=False)]

    def __len__(self) -> int:
        return self._rows

    def __bool__(self) -> bool:
        return len(self) > 0

    def nbytes(self) -> int:
        """Bytes the columns take in memory (0 while spilled)."""
        if self._spilled is not None:
            return 0
        parts = self._chunks if self._table is None else [{"table": self._table, "sigs": self._sigs}]
        return sum(c["table"].nbytes + c["sigs"].nbytes for c in parts)

    def entries(self) -> Iterator[dict]:
        """The entries as ``light`` dicts, in the order they were added."""
        table, sigs = self._columns()
        cols = {k: table.column(k).to_pylist() for k in (*STRINGS, "flags", "chars", "published_at")}
        for i in range(table.num_rows):
            yield {"page_id": cols["page_id"][i], "path": cols["path"][i], "url": cols["url"][i],
                   "flags": cols["flags"][i], "content_id": cols["content_id"][i], "sig": sigs[i],
                   "chars": cols["chars"][i], "metadata": {"published_at": cols["published_at"][i]}}

    def _index(self) -> dict[str, int]:
        """page_id -> the row of its last entry (two files with the same bytes are one page)."""
        if self._last is None:
            self._last = {p: i for i, p in enumerate(self._columns()[0].column("page_id").to_pylist())}
        return self._last

    def paths(self) -> PagePaths:
        return PagePaths(self)

    def signed(self) -> Signed:
        return Signed(self)

    def spill(self, path: Path) -> None:
        """Move the columns to ``path`` (Parquet) until they are read again."""
        table, sigs = self._columns()
        flat = pa.FixedSizeListArray.from_arrays(pa.array(sigs.reshape(-1), pa.uint32()), sigs.shape[1])
        pq.write_table(table.append_column("sig", flat), path, compression="lz4", row_group_size=SPILL_ROWS)
        self._table = self._sigs = None
        self._last = None
        self._spilled = path

    def _load(self) -> None:
        table = pq.read_table(self._spilled)
        self._sigs = _matrix(table.column("sig").combine_chunks())
        self._table = table.drop_columns(["sig"]).combine_chunks()
        self._spilled = None


def _matrix(sig: pa.FixedSizeListArray) -> np.ndarray:
    """The signatures of a ``sig`` column as one uint32 matrix."""
    width = sig.type.list_size
    return sig.flatten().to_numpy().reshape(-1, width).copy() if len(sig) else np.zeros((0, width), np.uint32)


def _aware(dt):
    """A naive datetime as the local time it stands for (what its ``timestamp()`` reads)."""
    return dt if dt is None or dt.tzinfo is not None else dt.astimezone()


def _empty() -> pa.Table:
    cols = {k: pa.array([], pa.string()) for k in STRINGS}
    cols["flags"] = pa.array([], pa.list_(pa.string()))
    cols["chars"] = pa.array([], pa.int64())
    cols["published_at"] = pa.array([], _TS)
    return pa.table(cols)


class PagePaths:
    """page_id -> path of a run's kept pages (the last file of a page), as the publish asks it."""

    def __init__(self, lights: Lights):
        self._lights = lights

    def __bool__(self) -> bool:
        return bool(self._lights)

    def get(self, page_id: str | None, default=None):
        """A spilled store is searched on disk (the publish asks for a few quarantined pages)."""
        if page_id is None:
            return default
        lights = self._lights
        if lights._spilled is not None:
            found = pq.read_table(lights._spilled, columns=["path"], filters=[("page_id", "=", page_id)])
            return found.column("path")[-1].as_py() if found.num_rows else default
        row = lights._index().get(page_id)
        return default if row is None else lights._columns()[0].column("path")[row].as_py()

    def __getitem__(self, page_id: str) -> str:
        if (path := self.get(page_id)) is None:
            raise KeyError(page_id)
        return path


class Signed:
    """page_id -> (content id, signature) of a run's kept pages (``history.write_index``).
    A spilled store is read back for these three columns only, a row group at a time into
    one signature matrix, and left spilled (the end phase needs no path, url or flags). Read
    whole, 98,000 pages' columns took 400 MiB at once, the run's peak at 100,000 pages."""

    def __init__(self, lights: Lights):
        self._lights = lights
        self._found: tuple[dict[str, int], pa.ChunkedArray, np.ndarray] | None = None

    def __bool__(self) -> bool:
        return bool(self._lights)

    def _look_up(self) -> tuple[dict[str, int], list[str], np.ndarray]:
        if self._found is None:
            lights = self._lights
            if lights._spilled is not None:
                pages, contents, sigs = _read_signed(lights._spilled)
            else:
                table, sigs = lights._columns()
                pages, contents = table.column("page_id").to_pylist(), table.column("content_id").to_pylist()
            rows = {p: i for i, p in enumerate(pages)}  # the last entry of a page
            self._found = rows, contents, sigs
        return self._found

    def get(self, page_id: str, default=None):
        rows, contents, sigs = self._look_up()
        row = rows.get(page_id)
        if row is None:
            return default
        return contents[row], sigs[row]

    def __getitem__(self, page_id: str):
        if (hit := self.get(page_id)) is None:
            raise KeyError(page_id)
        return hit


def _read_signed(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Page ids, content ids and the signature matrix of a spilled store, batch by batch."""
    from pipeline.publish.stream import stream_parquet

    pf = stream_parquet(path)
    width = pf.schema_arrow.field("sig").type.list_size
    sigs = np.empty((pf.metadata.num_rows, width), np.uint32)
    pages: list[str] = []
    contents: list[str] = []
    for batch in pf.iter_batches(batch_size=SPILL_ROWS, columns=["page_id", "content_id", "sig"]):
        at = len(pages)
        sigs[at:at + batch.num_rows] = _matrix(batch.column(2))
        pages += batch.column(0).to_pylist()
        contents += batch.column(1).to_pylist()
    return pages, contents, sigs
