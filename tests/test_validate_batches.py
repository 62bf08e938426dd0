"""Validation a row batch at a time: results summed over batches are those of one batch,
checks that need the whole table (key uniqueness, references, row count) see across batch
boundaries, and tables stream from Parquet files without being read whole."""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.publish.stream as stream
from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, article, good_tables
from pipeline.publish.stream import ParquetSink, TableSource
from pipeline.tables import RELEASED, to_arrow
from pipeline.validate.run import validate_sources, validate_tables

pytestmark = pytest.mark.filterwarnings("ignore")


def _arrow(tables: dict) -> dict[str, pa.Table]:
    return {n: to_arrow(n, tables.get(n, [])) for n in RELEASED}


def _spoiled() -> dict:
    t = good_tables()
    t["articles"] += [article("b-phone", body=t["articles"][0]["body"] + "\n咨询请拨打13812345678。"),
                      article("b-score", topic_score=1.5), article("b-spam", source="米乐m6体育官网")]
    t["people"].append({"article_id": "a2", "name": "赵六", "role": "boss", "evidence": "赵六说"})
    t["people"].append({"article_id": "b-spam", "name": "钱七", "role": "author", "evidence": "钱七"})
    return t


@pytest.fixture
def one_row_batches(monkeypatch):
    monkeypatch.setattr(stream, "MIN_BATCH_ROWS", 1)
    monkeypatch.setattr(stream, "MAX_BATCH_ROWS", 1)


def _comparable(report) -> tuple:
    key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
    return sorted(map(key, report.results)), sorted(map(key, report.quarantined)), report.rows_out


def test_results_summed_over_batches_equal_one_batch(monkeypatch):
    tables = _arrow(_spoiled())
    kept_whole, whole = validate_tables(tables, NOW)
    monkeypatch.setattr(stream, "MIN_BATCH_ROWS", 1)
    monkeypatch.setattr(stream, "MAX_BATCH_ROWS", 1)
    kept_rows, rows = validate_tables(tables, NOW)
    assert _comparable(rows) == _comparable(whole)
    assert all(kept_rows[n].equals(kept_whole[n]) for n in RELEASED)
    assert {json.loads(q["key"])[0] for q in rows.quarantined if q["table"] == "articles"} == \
        {"b-phone", "b-score", "b-spam"}


def test_duplicate_key_in_another_batch_blocks(one_row_batches):
    t = good_tables()
    t["articles"].append(article("a1", title="同一编号的另一篇"))
    _, report = validate_tables(_arrow(t), NOW)
    [unique] = [r for r in report.blocked if r["family"] == "key_unique"]
    assert unique["table"] == "articles" and unique["unexpected_count"] == 2 and unique["observed"] == '["a1", "a1"]'


def test_compound_duplicate_key_in_another_batch_blocks(one_row_batches):
    t = good_tables()
    t["people"].append(dict(t["people"][0], evidence="又一次"))
    _, report = validate_tables(_arrow(t), NOW)
    assert [(r["table"], r["unexpected_count"]) for r in report.blocked] == [("people", 2)]


def test_reference_to_an_article_in_another_batch_holds(one_row_batches):
    t = good_tables()
    t["quotes"].append({"article_id": "nowhere", "speaker": "某人", "text": "无源之水", "kind": "direct"})
    _, report = validate_tables(_arrow(t), NOW)
    [fk] = report.blocked
    assert (fk["table"], fk["family"], fk["unexpected_count"], fk["observed"]) == \
        ("quotes", "foreign_key", 1, '["nowhere"]')


def test_tables_stream_from_parquet_parts(tmp_path, one_row_batches):
    tables = _arrow(_spoiled())
    folder = {}
    for n, t in tables.items():
        d = tmp_path / n
        d.mkdir()
        half = t.num_rows // 2
        pq.write_table(t.slice(0, half), d / "part-1.parquet")
        pq.write_table(t.slice(half), d / "part-2.parquet")
        folder[n] = d
    kept, report = validate_sources(folder, NOW)
    kept_whole, whole = validate_tables(tables, NOW)
    assert _comparable(report) == _comparable(whole)
    assert kept["articles"].read().equals(kept_whole["articles"])


def test_data_docs_hold_one_result_per_table_and_pass(tmp_path, one_row_batches):
    _, report = validate_tables(_arrow(_spoiled()), NOW, docs_dir=tmp_path / "docs")
    runs = sorted(p.relative_to(tmp_path / "docs" / "validations").parts[:2]
                  for p in (tmp_path / "docs" / "validations").rglob("*.html"))
    assert runs.count(("articles", "input")) == 1 and runs.count(("articles", "release")) == 1
    page = next((tmp_path / "docs" / "validations" / "articles" / "input").rglob("*.html")).read_text("utf-8")
    assert "13812345678" not in page


def test_parquet_sink_bytes_do_not_depend_on_batching(tmp_path):
    t = to_arrow("articles", [article(f"a{i:03d}") for i in range(50)])
    with ParquetSink(tmp_path / "one.parquet", t.schema, rows=16) as out:
        out.write(t)
    with ParquetSink(tmp_path / "many.parquet", t.schema, rows=16) as out:
        for i in range(0, 50, 7):
            out.write(t.slice(i, 7))
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "many.parquet").read_bytes()
    assert pq.read_table(tmp_path / "many.parquet").equals(t)


def test_dropped_keys_leave_the_stream(one_row_batches):
    src = TableSource.of("people", good_tables()["people"]).without(['["a1", "王志勤", "speaker"]'])
    assert src.num_rows == 1 and src.read().column("article_id").to_pylist() == ["a2"]


def test_publish_from_files_equals_publish_from_tables(tmp_path):
    from pipeline.publish.release import publish_release

    tables = _arrow(good_tables())
    files = {}
    for n, t in tables.items():
        pq.write_table(t, tmp_path / f"{n}.parquet")
        files[n] = tmp_path / f"{n}.parquet"
    a = publish_release(tables, PAGE_REJECTS, RUN_INFO, tmp_path / "a", now=NOW)
    b = publish_release(files, PAGE_REJECTS, RUN_INFO, tmp_path / "b", now=NOW)
    for n in RELEASED:
        for sub, ext in (("data", "parquet"), ("csv", "csv")):
            one, two = sorted((a.path / sub / f"{n}.{ext}").glob(f"*.{ext}")), sorted((b.path / sub / f"{n}.{ext}").glob(f"*.{ext}"))
            assert [p.name for p in one] == [p.name for p in two] and one
            assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]
    assert not (b.path / ".work").exists() and a.row_counts == b.row_counts
