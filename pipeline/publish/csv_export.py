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


def _records(fh):
    """(parsed cells, the record's exact text) of each record of a CSV file opened with
    ``newline=""``: ``csv.reader`` pulls lines one at a time, so the lines read since the
    last record are this record's text (a quoted cell may span lines)."""
    taken: list[str] = []

    def lines():
        for line in fh:
            taken.append(line)
            yield line

    for cells in csv.reader(lines()):
        text = "".join(taken)
        taken.clear()
        yield cells, text


def rewrite_rows(src: Path, dst: Path, table: pa.Table, changed) -> None:
    """``dst``: the CSV that ``CsvSink`` writes for ``table``, made from ``src`` (the CSV of
    the same rows before ``changed`` rows, by position, took new values): unchanged records
    are copied as they were written, only the changed ones are written again. The same
    bytes as writing the whole table, without turning every cell into text again."""
    changed = set(changed)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, encoding="utf-8-sig", newline="") as fin, \
            open(dst, "w", encoding="utf-8-sig", newline="") as fout:
        records = _records(fin)
        header, text = next(records)
        if header != table.column_names:
            raise ValueError(f"{src} holds other columns")
        fout.write(text)
        w = csv.writer(fout, lineterminator="\r\n")
        n = 0
        for n, (_, text) in enumerate(records, start=1):
            if n - 1 in changed:
                w.writerow([cell(v) for v in table.slice(n - 1, 1).to_pylist()[0].values()])
            else:
                fout.write(text)
        if n != table.num_rows:
            raise ValueError(f"{src} holds {n} rows, the table {table.num_rows}")


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
