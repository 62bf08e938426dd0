"""Each expectation family fails on a table crafted to break it, and only there.

Row-level families are checked on one validation of a table that carries one bad row per
family (each its own article, so a failure can be told apart); table-level ones each block.
"""
from __future__ import annotations

import json

import pytest

from dgn_rows import NOW, article, good_tables
from pipeline.tables import RELEASED, to_arrow
from pipeline.validate.run import validate_tables

pytestmark = pytest.mark.filterwarnings("ignore")

ROW_CASES = {
    # article_id: (changes, family expected to quarantine it)
    "b-future": ({"published_at": "2031-01-01T00:00:00+08:00"}, "published_at"),
    "b-ancient": ({"published_at": "1990-01-01"}, "published_at"),
    "b-short-title": ({"title": "数"}, "lengths"),
    "b-boilerplate": ({"body": "当前位置：首页 > 新闻中心\n" + article("x")["body"]}, "boilerplate"),
    "b-font-widget": ({"body": article("x")["body"] + "\n【字体：大 中 小】"}, "boilerplate"),
    "b-phone": ({"body": article("x")["body"] + "\n咨询请拨打13812345678。"}, "pii"),
    "b-email": ({"authors": ["王五 wangwu@example.com"]}, "pii"),
    "b-id-number": ({"title": "身份证号110101199003071234的人"}, "pii"),
    "b-spam": ({"source": "米乐m6体育官网"}, "spam_source"),
    "b-source-type": ({"source_type": "blog"}, "value_set"),
    "b-region-form": ({"region_codes": ["11000"]}, "region_code"),
    "b-region-unknown": ({"region_codes": ["999999"]}, "region_code"),
    "b-score": ({"topic_score": 1.5}, "range"),
}


def _tables() -> dict:
    t = good_tables()
    for aid, (change, _) in ROW_CASES.items():
        t["articles"].append(article(aid, **change))
    t["people"].append({"article_id": "a2", "name": "赵六", "role": "boss", "evidence": "赵六说"})
    t["people"].append({"article_id": "a2", "name": None, "role": "mentioned", "evidence": "某人"})
    t["statistics"].append({"article_id": "a2", "subject": "规模", "value": float("inf"), "unit": "元",
                            "qualifier": "=", "raw": "无穷", "evidence": "规模无穷"})
    t["statistics"].append({"article_id": "a2", "subject": "重量", "value": 5.0, "unit": "斤",
                            "qualifier": "=", "raw": "5斤", "evidence": "重5斤"})
    t["documents"].append({"article_id": "a2", "title": "某规划", "doc_type": "memo", "issuer": None})
    t["quotes"].append({"article_id": "a2", "speaker": "王五", "text": "请联系 a@b.cn", "kind": "direct"})
    return t


def _validate(tables: dict, **kw):
    return validate_tables({n: to_arrow(n, tables.get(n, [])) for n in RELEASED}, NOW, **kw)


@pytest.fixture(scope="module")
def quarantine_run():
    return _validate(_tables())


def _families(report, table: str, key: list) -> set[str]:
    k = json.dumps(key, ensure_ascii=False)
    return {q["expectation"].rsplit("[", 1)[-1].rstrip("]") for q in report.quarantined
            if q["table"] == table and q["key"] == k}


def test_good_tables_pass_every_expectation():
    kept, report = _validate(good_tables())
    assert report.ok and report.all_passed and not report.quarantined
    assert {n: kept[n].num_rows for n in RELEASED} == {n: len(v) for n, v in good_tables().items()}


@pytest.mark.parametrize("aid", sorted(ROW_CASES))
def test_row_family_quarantines_its_article(quarantine_run, aid):
    _, report = quarantine_run
    assert _families(report, "articles", [aid]) == {ROW_CASES[aid][1]}


def test_quarantine_keeps_the_good_rows(quarantine_run):
    kept, report = quarantine_run
    assert report.ok
    assert sorted(kept["articles"].column("article_id").to_pylist()) == ["a1", "a2"]
    assert kept["people"].num_rows == 2 and kept["statistics"].num_rows == 2
    assert kept["events"].num_rows == 1 and kept["documents"].num_rows == 1 and kept["quotes"].num_rows == 1
    second = [r for r in report.results if r["pass"] == "release"]
    assert second and all(r["success"] for r in second)


@pytest.mark.parametrize("table,key,family", [
    ("people", ["a2", "赵六", "boss"], "value_set"),
    ("people", ["a2", None, "mentioned"], "key_not_null"),
    ("statistics", ["a2", "规模无穷", "无穷"], "finite"),
    ("statistics", ["a2", "重5斤", "5斤"], "value_set"),
    ("documents", ["a2", "某规划"], "value_set"),
    ("quotes", ["a2", "请联系 a@b.cn"], "pii"),
])
def test_row_family_in_child_tables(quarantine_run, table, key, family):
    assert family in _families(quarantine_run[1], table, key)


def test_observed_values_say_what_failed_without_leaking_pii(quarantine_run):
    _, report = quarantine_run
    by_key = {(q["table"], q["key"], q["expectation"].rsplit("[", 1)[-1]): q["observed"] for q in report.quarantined}
    assert by_key[("articles", '["b-phone"]', "pii]")] == "[电话]"
    assert by_key[("articles", '["b-boilerplate"]', "boilerplate]")].startswith("当前位置")
    assert by_key[("articles", '["b-region-unknown"]', "region_code]")] == "999999"
    assert not any("13812345678" in str(q["observed"]) or "wangwu@" in str(q["observed"])
                   for q in report.quarantined)


def test_child_rows_follow_a_quarantined_article():
    t = good_tables()
    t["articles"][0]["source"] = "米乐m6体育官网"
    kept, report = _validate(t)
    assert report.ok
    assert kept["articles"].column("article_id").to_pylist() == ["a2"]
    assert set(kept["people"].column("article_id").to_pylist()) == {"a2"}
    assert kept["events"].num_rows == 0 and kept["quotes"].num_rows == 0
    cascaded = {q["table"] for q in report.quarantined if q["expectation"] == "article quarantined"}
    assert cascaded == {"people", "events", "statistics", "documents", "quotes"}


def _blocked(report) -> set[tuple[str, str]]:
    return {(r["table"], r["family"]) for r in report.blocked}


def test_duplicate_keys_block():
    t = good_tables()
    t["articles"].append(article("a1", title="同一编号的另一篇"))
    t["people"].append(dict(t["people"][0], evidence="又一次"))
    _, report = _validate(t)
    assert not report.ok
    assert {("articles", "key_unique"), ("people", "key_unique")} <= _blocked(report)
    assert not report.quarantined


def test_broken_reference_blocks():
    t = good_tables()
    t["quotes"].append({"article_id": "nowhere", "speaker": "某人", "text": "无源之水", "kind": "direct"})
    t["quotes"].append({"article_id": None, "speaker": "某人", "text": "无主之言", "kind": "direct"})
    _, report = _validate(t)
    assert _blocked(report) == {("quotes", "foreign_key")}
    assert report.blocked[0]["observed"] == '["nowhere"]' and report.blocked[0]["unexpected_count"] == 1


def test_empty_articles_block():
    _, report = _validate({n: [] for n in RELEASED})
    assert ("articles", "row_count") in _blocked(report)


def test_check_of_a_release_does_not_quarantine():
    t = good_tables()
    t["articles"][1]["topic_score"] = 2.0
    kept, report = _validate(t, quarantine=False)
    assert not report.ok and _blocked(report) == {("articles", "range")}
    assert kept["articles"].num_rows == 2
