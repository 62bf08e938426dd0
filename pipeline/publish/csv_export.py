"""CSV copies of the tables for spreadsheets: UTF-8 with a BOM (Excel on Chinese Windows
otherwise guesses GBK), lists as JSON arrays, and text cells that a spreadsheet would run
as a formula neutralised with a leading apostrophe. Parquet keeps the exact values."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pyarrow as pa

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``=1+1`` -> ``'=1+1``: OWASP's advice against CSV injection, applied to text cells only."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return json.dumps(list(v), ensure_ascii=False)
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "INF" if v > 0 else "-INF"
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def write_csv(table: pa.Table, path: Path) -> None:
    with CsvSink(path, table.column_names) as out:
        out.write(table)


class CsvSink:
    """A CSV file written a batch at a time (``write`` takes Arrow tables or record batches)."""

    def __init__(self, path: Path, columns: list[str]):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "w", encoding="utf-8-sig", newline="")
        self._w = csv.writer(self._fh, lineterminator="\r\n")
        self._w.writerow(columns)

    def write(self, table) -> None:
        batches = table.to_batches(max_chunksize=4096) if isinstance(table, pa.Table) else [table]
        for batch in batches:
            cols = [c.to_pylist() for c in batch.columns]
            for row in zip(*cols):
                self._w.writerow([cell(v) for v in row])

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "CsvSink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
