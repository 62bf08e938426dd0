"""The schema contract: typing, ordering, refusals and the descriptions carried along."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from dgn_rows import article, good_tables
from pipeline.tables import RELEASED, TABLES, row_key, to_arrow


def test_every_table_has_the_spec_columns():
    assert TABLES["articles"].names == [
        "article_id", "url", "site", "title", "published_at", "published_at_source", "source",
        "source_raw", "source_type", "flags", "authors", "editors", "body", "char_count", "topic_score",
        "keywords", "region_codes", "duplicate_count", "page_id", "fetched_at"]
    assert TABLES["statistics"].names == ["article_id", "subject", "value", "unit", "qualifier", "raw",
                                          "as_of", "region_code", "evidence"]
    for name in RELEASED:
        assert all(c.description for c in TABLES[name].columns)
        assert set(TABLES[name].primary_key) <= set(TABLES[name].names)


def test_types_and_timezones():
    t = to_arrow("articles", [article("a1", published_at="2023-05-30", fetched_at="2024-01-01T00:00:00Z",
                                      flags=None, char_count=12.0)])
    row = t.to_pylist()[0]
    assert t.schema.field("published_at").type == pa.timestamp("us", tz="Asia/Shanghai")
    assert row["published_at"].isoformat() == "2023-05-30T00:00:00+08:00"
    assert row["fetched_at"].isoformat() == "2024-01-01T08:00:00+08:00"
    assert row["flags"] == [] and row["char_count"] == 12
    naive = to_arrow("articles", [article("a1", published_at=dt.datetime(2023, 5, 30, 9, 30))])
    assert naive.to_pylist()[0]["published_at"].isoformat() == "2023-05-30T09:30:00+08:00"
    ev = to_arrow("events", good_tables()["events"])
    assert ev.schema.field("date").type == pa.date32() and ev.to_pylist()[0]["date"] == dt.date(2023, 5, 30)


def test_order_is_by_key_whatever_the_input_order():
    rows = good_tables()["statistics"] + [dict(good_tables()["statistics"][0], evidence="另一句")]
    a = to_arrow("statistics", rows)
    b = to_arrow("statistics", list(reversed(rows)))
    assert a.equals(b)
    assert a.column("article_id").to_pylist() == ["a1", "a1", "a2"]


def test_rows_sharing_a_key_and_null_keys_still_order_the_same_whatever_the_input_order():
    rows = [{"reason": "too_short", "page_id": None, "path": "b", "detail": "x"},
            {"reason": "too_short", "page_id": None, "path": None, "detail": "y"},
            {"reason": "duplicate_of", "page_id": "p2", "path": "c", "duplicate_of": "a1"},
            {"reason": "too_short", "page_id": "p1", "path": "a", "detail": "two rows, one key"},
            {"reason": "too_short", "page_id": "p1", "path": "a", "detail": "another detail"}]
    tables = [to_arrow("rejected", order) for order in (rows, rows[::-1], rows[2:] + rows[:2])]
    assert all(t.equals(tables[0]) for t in tables)
    got = tables[0].select(["reason", "page_id", "path", "detail"]).to_pylist()
    assert [(r["reason"], r["page_id"], r["path"]) for r in got] == [
        ("duplicate_of", "p2", "c"), ("too_short", None, None), ("too_short", None, "b"),
        ("too_short", "p1", "a"), ("too_short", "p1", "a")]
    assert [r["detail"] for r in got[3:]] == ["another detail", "two rows, one key"]


def test_unknown_columns_are_refused():
    with pytest.raises(KeyError, match="not in schema_version 1"):
        to_arrow("quotes", [{"article_id": "a", "text": "x", "speaker_name": "y"}])


def test_bad_values_name_the_row():
    with pytest.raises(ValueError, match="articles row 0"):
        to_arrow("articles", [article("a1", published_at="yesterday")])


def test_row_key_is_the_primary_key():
    assert row_key("people", good_tables()["people"][0]) == '["a1", "王志勤", "speaker"]'


def test_undecodable_names_become_escapes_not_errors():
    path = b"raw/\xff\xfe page.html".decode("utf-8", "surrogateescape")
    t = to_arrow("rejected", [{"path": path, "reason": "binary", "page_id": "p"}])
    assert t.column("path").to_pylist() == ["raw/\\xff\\xfe page.html"]
