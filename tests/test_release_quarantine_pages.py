"""Quarantined rows name the page they came from (path, url, title), so a steward can open it;
rejected rows of an older release without the newer columns still carry forward."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, article, good_tables
from pipeline.publish.release import _conform, publish_release
from pipeline.tables import TABLES

pytestmark = pytest.mark.filterwarnings("ignore")


def _tables() -> dict:
    t = good_tables()
    t["articles"].append(article("bad", title="一篇被隔离的文章", source="米乐m6体育官网"))
    t["people"].append({"article_id": "bad", "name": "钱七", "role": "mentioned", "evidence": "钱七"})
    return t


def test_quarantined_rows_carry_the_page_path_and_title(tmp_path):
    paths = {"p-bad": "crawl/2026/bad page.html", "p-a1": "crawl/a1.html"}
    res = publish_release(_tables(), PAGE_REJECTS, RUN_INFO, tmp_path, now=NOW, page_paths=paths)
    rows = [r for r in pq.read_table(res.path / "rejected.parquet").to_pylist() if r["table"]]
    by_table = {r["table"]: r for r in rows}
    assert set(by_table) == {"articles", "people"}
    for r in rows:
        assert r["path"] == "crawl/2026/bad page.html"
        assert r["title"] == "一篇被隔离的文章"
    assert by_table["articles"]["page_id"] == "p-bad"
    assert by_table["people"]["page_id"] is None  # a child row is not a page: page counts stay right
    assert res.rejected_counts == {"empty": 1, "failed_validation": 1}


def test_rejected_rows_of_an_older_schema_conform():
    schema = TABLES["rejected"].schema
    old = pa.table({"page_id": ["p1"], "reason": ["empty"], "path": ["x.html"]})
    new = _conform(old, schema)
    assert new.schema == schema
    assert new.to_pylist()[0]["title"] is None and new.to_pylist()[0]["path"] == "x.html"


def test_a_rejected_page_row_carries_its_headline():
    from pipeline.record import Article, Document
    from pipeline.run.stages import rejected_row

    doc = Document(id="p1", path="a.html", article=Article(title="与主题无关的新闻")).reject("off_topic", "topic_score 0.010 < 0.05")
    row = rejected_row(doc, "filter")
    assert row["title"] == "与主题无关的新闻" and row["detail"].startswith("topic_score")
    assert rejected_row(Document(id="p2", path="b.html").reject("empty"), "ingest")["title"] is None
