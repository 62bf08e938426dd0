"""Reading a Parquet file batch by batch holds about one batch, whatever the file's size.

pyarrow's default ``pre_buffer`` kept every row group an ``iter_batches`` had read until the
iteration ended, so the release's streaming reads (the tables' external sort, validation,
the diff) held whole files."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.publish.stream import TableSource, stream_parquet
from pipeline.run import staging
from pipeline.run.staging import sort_file
from pipeline.tables import TABLES

GROUPS, ROWS, CHARS = 40, 200, 2_000  # 40 row groups of about 0.4 MB of text each


def _han(rng, rows: int, chars: int) -> list[str]:
    text = rng.integers(0x4E00, 0x9FA5, rows * chars).astype("<u4").tobytes().decode("utf-32-le")
    return [text[i * chars:(i + 1) * chars] for i in range(rows)]


def _text_file(path) -> int:
    rng = np.random.default_rng(7)
    writer = pq.ParquetWriter(path, pa.schema([("id", pa.string()), ("body", pa.string())]), compression="lz4")
    for g in range(GROUPS):
        bodies = _han(rng, ROWS, CHARS)
        writer.write_table(pa.table({"id": [f"{g:03d}-{i:04d}" for i in range(ROWS)], "body": bodies}))
    writer.close()
    return path.stat().st_size


def _peak_while_reading(batches) -> int:
    base = pa.total_allocated_bytes()
    peak = 0
    for _ in batches:
        peak = max(peak, pa.total_allocated_bytes() - base)
    return peak


def test_a_batch_by_batch_read_holds_a_few_row_groups_not_the_file(tmp_path):
    size = _text_file(tmp_path / "t.parquet")
    peak = _peak_while_reading(stream_parquet(tmp_path / "t.parquet").iter_batches(batch_size=ROWS))
    assert peak < size / 8, (peak, size)


def test_pyarrows_default_read_holds_the_file(tmp_path):
    """The behaviour ``stream_parquet`` avoids, shown on the same file: if pyarrow stops
    caching, this fails and the workaround can go."""
    size = _text_file(tmp_path / "t.parquet")
    peak = _peak_while_reading(pq.ParquetFile(tmp_path / "t.parquet").iter_batches(batch_size=ROWS))
    assert peak > size / 2, (peak, size)


def test_a_table_source_of_files_streams(tmp_path):
    size = _text_file(tmp_path / "t.parquet")
    src = TableSource("t", files=(tmp_path / "t.parquet",))
    schema = pa.schema([("id", pa.string()), ("body", pa.string())])
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(TABLES, "t", type("Spec", (), {"schema": schema, "primary_key": ("id",)})())
        peak = _peak_while_reading(src.batches(rows=ROWS))
    assert peak < size / 8, (peak, size)


def test_the_external_sort_holds_buckets_not_the_table(tmp_path, monkeypatch):
    """``sort_file`` cuts a table into buckets of about ``bucket_bytes`` and sorts them one
    at a time: Arrow holds a bucket, its sorted copy and a few MB of readers, not the table."""
    name = "articles"
    schema = TABLES[name].schema
    rng = np.random.default_rng(3)
    n = 10_000
    ids = [f"{v:016x}" for v in rng.integers(0, 2**62, n)]
    cols = {f.name: pa.nulls(n, f.type) for f in schema}
    cols["article_id"] = pa.array(ids)
    cols["body"] = pa.array(_han(rng, n, CHARS))
    table = pa.table(cols, schema=schema)
    table_bytes = table.nbytes
    path = tmp_path / "a.parquet"
    pq.write_table(table, path, row_group_size=100, compression="lz4")
    del table, cols
    base = pa.total_allocated_bytes()
    peak = 0

    def watched(real):
        def call(*a, **k):
            nonlocal peak
            peak = max(peak, pa.total_allocated_bytes() - base)
            return real(*a, **k)
        return call

    monkeypatch.setattr(pq, "write_table", watched(pq.write_table))  # each sorted bucket
    monkeypatch.setattr(staging, "bucket_of", watched(staging.bucket_of))  # each batch of the split
    bucket = 1 << 20
    out = sort_file(name, path, tmp_path / "sorted", bucket_bytes=bucket)
    monkeypatch.undo()
    assert len(out) > 40
    assert peak < 16 * bucket < table_bytes / 3, (peak, table_bytes)
    got = pa.concat_tables([pq.read_table(f) for f in out]).column("article_id").to_pylist()
    assert got == sorted(ids)


@pytest.mark.parametrize("ask", ["num_rows", "column"])
def test_keys_of_a_source_with_rows_left_out_are_read_in_small_batches(tmp_path, monkeypatch, ask):
    """With rows left out, counting rows or reading a key column reads every key column
    (quotes' text, statistics' evidence) to match them: in batches of a million rows that
    held 500 MiB at 100,000 articles."""
    from pipeline.publish import stream

    rng = np.random.default_rng(3)
    quotes = pa.table({"article_id": [f"a{i:05d}" for i in range(4096)], "text": _han(rng, 4096, 200)})
    quotes = quotes.cast(pa.schema([TABLES["quotes"].schema.field(c) for c in quotes.column_names]))
    pq.write_table(quotes, tmp_path / "quotes.parquet", row_group_size=512)
    src = TableSource("quotes", files=(tmp_path / "quotes.parquet",)).without(
        ['["a00007", "%s"]' % quotes.column("text")[7].as_py()])
    monkeypatch.setattr(stream, "SCAN_ROWS", 256, raising=False)
    seen = []
    raw = TableSource._raw

    def counted(self, columns, rows):
        for t in raw(self, columns, rows):
            seen.append(t.num_rows)
            yield t

    monkeypatch.setattr(TableSource, "_raw", counted)
    got = src.num_rows if ask == "num_rows" else len(src.column("article_id"))
    assert got == 4095 and seen and max(seen) <= 256, (got, max(seen))
