"""Where a release keeps its tables: immutable parts, read as one table per name.

A table is a folder of parts, ``data/<table>.parquet/part-NNNNN.parquet``, with a CSV twin a part,
``csv/<table>.csv/part-NNNNN.csv`` (each a whole CSV: BOM and header). A part holds at most
``part_rows(table)`` rows and is never written again once published: a later release hard-links
the parts it keeps and writes only new ones, numbered after the previous release's. Readers
take the folder as one table (pyarrow, pandas, DuckDB and ``datasets`` read a folder or a
glob of parts). Releases written before the parts were one file a table
(``data/<table>.parquet``); every reader here takes both.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

PART_ROWS = 20_000  # rows a part: a full run of the same rows cuts the same parts
# Articles are wide (bodies) and the only rows an incremental run rewrites (an old article's
# ``duplicate_count``), part by part: small parts keep that rewrite small.
PART_ROWS_OF = {"articles": 2_000}


def part_rows(name: str) -> int:
    return PART_ROWS_OF.get(name, PART_ROWS)
PART_NAME = re.compile(r"^part-(\d{5,})\.(parquet|csv)$")


def part_name(number: int, ext: str = "parquet") -> str:
    return f"part-{number:05d}.{ext}"


def part_number(path: str | Path) -> int:
    m = PART_NAME.match(Path(path).name)
    if m is None:
        raise ValueError(f"not a part file: {path}")
    return int(m.group(1))


def table_dir(release: Path, name: str, kind: str = "data") -> Path:
    """``data/<table>.parquet/`` or ``csv/<table>.csv/``: the folder keeps the name a table's
    one file had (the Spark convention), so ``glob("data/articles.parquet")``,
    ``pd.read_parquet`` and ``pq.read_table`` of that path still find the table."""
    return Path(release) / kind / f"{name}.{'parquet' if kind == 'data' else 'csv'}"


def parquet_path(release: Path, name: str, number: int) -> Path:
    return table_dir(release, name) / part_name(number)


def csv_path(release: Path, name: str, number: int) -> Path:
    return table_dir(release, name, "csv") / part_name(number, "csv")


def rel(path: Path, release: Path) -> str:
    return Path(path).relative_to(release).as_posix()


def table_files(release: Path, name: str, kind: str = "data") -> list[Path]:
    """The table's Parquet (``kind="data"``) or CSV (``"csv"``) files in part order; the one
    file of an older release; ``[]`` when the release has no such table."""
    release = Path(release)
    ext = "parquet" if kind == "data" else "csv"
    folder = table_dir(release, name, kind)
    if folder.is_dir():
        return sorted((p for p in folder.iterdir() if PART_NAME.match(p.name) and p.suffix == f".{ext}"),
                      key=part_number)
    return [folder] if folder.is_file() else []


def is_release(path: Path) -> bool:
    """A folder holding an articles table (parts or one file)."""
    return bool(table_files(Path(path), "articles"))


def read_table(release: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """The whole table (or ``columns`` of it) in part order, in the release's schema (a column
    an older part lacks comes as nulls); an absent table is empty."""
    from pipeline.publish.stream import TableSource

    return TableSource(name, files=tuple(table_files(release, name))).read(columns)


def iter_batches(release: Path, name: str, columns: list[str] | None = None, rows: int = 2048):
    """Record batches of the table, part after part: what a reader of every row holds."""
    from pipeline.publish.stream import stream_parquet

    for f in table_files(release, name):
        yield from stream_parquet(f).iter_batches(batch_size=rows, columns=columns)


def num_rows(release: Path, name: str) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in table_files(release, name))
