"""A row's digest in the release diff is a function of that row's values alone: the same row
read in any batch digests the same, and a null digests unlike every value."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.publish.diff as D
from pipeline.publish.layout import parquet_path
from pipeline.tables import TABLES

TEXTS = pa.list_(pa.string())


def _digests(rows: list[dict], schema: pa.Schema) -> list[int]:
    return D._row_digests(pa.Table.from_pylist(rows, schema=schema)).tolist()


def _event(i: int, edition: int | None) -> dict:
    return {"event_id": f"e{i}", "article_id": "a1", "name": f"论坛{i}", "edition": edition,
            "organizers": ["主办方"], "co_organizers": []}


EVENTS = [_event(1, 3), _event(2, None), _event(3, 5), _event(4, None)]


def test_a_row_digests_alike_in_any_batch():
    schema = TABLES["events"].schema
    whole = _digests(EVENTS, schema)
    with_null = _digests(EVENTS[:2], schema)  # edition 3 beside a null
    without = _digests(EVENTS[:1] + EVENTS[2:3], schema)  # edition 3 and 5, no null
    assert with_null[0] == without[0] == whole[0]
    assert without[1] == whole[2]
    assert _digests(EVENTS[3:], schema) == whole[3:]


def _release(root: Path, parts: list[list[dict]]) -> Path:
    for number, rows in enumerate(parts):
        path = parquet_path(root, "events", number)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=TABLES["events"].schema), path)
    return root


def test_the_same_rows_split_otherwise_are_unchanged(tmp_path):
    old = _release(tmp_path / "old", [EVENTS])
    new = _release(tmp_path / "new", [EVENTS[0::2], EVENTS[1::2]])  # editions alone, nulls alone
    events = D.diff_releases(old, new)["tables"]["events"]
    assert (events["added"], events["removed"], events["changed"], events["unchanged"]) == (0, 0, 0, 4)


def _column(values: list, type_: pa.DataType) -> list[int]:
    return D._row_digests(pa.table({"c": pa.array(values, type_)})).tolist()


@pytest.mark.parametrize("text", ["None", "nan", "null", "NaN", "NaT", "<NA>", ""])
def test_a_null_is_not_a_text(text):
    null, value = _column([None, text], pa.string())
    assert null != value


@pytest.mark.parametrize("values, type_", [
    ([None, 0], pa.int64()), ([None, 0.0], pa.float64()), ([None, float("nan")], pa.float64()),
    ([None, False], pa.bool_()), ([None, 0], pa.date32()), ([None, 0], pa.timestamp("us", tz="Asia/Shanghai")),
])
def test_a_null_is_not_a_zero(values, type_):
    null, value = _column(values, type_)
    assert null != value


def test_list_values_differ():
    lists = [[], None, ["a"], [None], [""], ["", ""], ["a", None], ["b", None], ["a", "b"], ["b", "a"],
             ["a\x1fb"], ["a", "b", ""]]
    digests = _column(lists, TEXTS)
    assert len(set(digests)) == len(lists)


def test_numbers_by_value_not_width():
    assert _column([7], pa.int32()) == _column([7], pa.int64())
    assert _column([0.0], pa.float64()) == _column([-0.0], pa.float64())
    assert _column([1], pa.int64()) != _column([1.0], pa.float64())
    assert _column([1], pa.int64()) != _column(["1"], pa.string())


def test_a_row_is_its_columns_in_order():
    a = D._row_digests(pa.table({"x": ["p"], "y": [None]})).tolist()
    b = D._row_digests(pa.table({"x": [None], "y": ["p"]})).tolist()
    assert a != b
