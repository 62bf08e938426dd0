"""``build_tables`` dedupes through the product's one implementation (light entries as columns,
``resolve_lights``) and gives the dict reference's tables and duplicate rows, in the same order."""
import datetime as dt
import time

import numpy as np
import pytest

from pipeline.dedupe.history import build_index
from pipeline.run.assemble import build_tables
from tests import dedupe_reference as ref

CST = dt.timezone(dt.timedelta(hours=8))
WORDS = "数字政府建设推进政务服务一网通办数据共享平台互联网监管智慧城市电子证照公共资源交易"


def _body(seed: int, chars: int = 300) -> str:
    rng = np.random.default_rng(seed)
    return "".join(WORDS[i] for i in rng.integers(0, len(WORDS), chars)) + "。"


def _cand(pid: str, body: str, path: str | None = None, flags=(), day: int | None = 1) -> dict:
    when = None if day is None else dt.datetime(2024, 5, day, 9, tzinfo=CST)
    return {"page_id": pid, "path": path or f"/pages/{pid}.html", "url": f"https://example.org/{pid}",
            "fetched_at": None, "flags": list(flags),
            "records": {"people": [{"name": f"张{pid}", "title": None}], "organizations": [{"name": "数据局"}]},
            "metadata": {"body": body, "title": pid, "published_at": when}}


def _corpus() -> list[dict]:
    """Given out of page-id order: distinct pages, an exact copy that is a dated reprint, a near
    copy without a date, two copies of equal date and length."""
    out = []
    for i in range(12):
        base = _body(i)
        out.append(_cand(f"p{(i * 7) % 12:02d}", base, day=1 + i % 5))
        if i % 3 == 0:
            out.append(_cand(f"r{i:02d}", base, flags=["reprint"], day=1))
        if i % 4 == 0:
            out.append(_cand(f"n{i:02d}", base[:40] + "改" + base[41:], day=None))
        if i == 5:
            out.append(_cand("c05", base, day=1 + i % 5))
    return out[::-1]


def _both(cands, prior=None, carry_forward=True):
    got = build_tables(cands, prior=prior, carry_forward=carry_forward)
    want = ref.build_tables(*ref.group_duplicates(cands), prior, carry_forward)
    return got, want


def test_a_run_gives_the_reference_tables():
    (tables, dups), (want_tables, want_dups) = _both(_corpus())
    assert len(dups) >= 5
    assert tables == want_tables
    assert dups == want_dups
    pids = [r["page_id"] for r in tables["articles"]]
    assert pids == sorted(pids)


@pytest.mark.parametrize("carry_forward", [True, False])
def test_against_a_prior_release_gives_the_reference_tables(carry_forward):
    cands = _corpus()
    released = [("a-own", _body(90), "p03"),  # this run's page p03 was released with another body
                ("a-copy", _body(2), "old-1"),  # a body of this run, released from another page
                ("a-near", _body(4)[:20] + "新" + _body(4)[21:], "old-2")]
    prior = build_index(released, version="v-old")
    (tables, dups), (want_tables, want_dups) = _both(cands, prior, carry_forward)
    assert tables == want_tables
    assert dups == want_dups
    ids = {r["article_id"] for r in tables["articles"]}
    assert ("a-own" in ids) and (("a-copy" in ids) != carry_forward)
    assert any(r["detail"] == "released in v-old" for r in dups) == carry_forward


def test_two_files_of_one_page_are_one_article_and_a_duplicate():
    body = _body(50)
    cands = [_cand("same", body, path="/a/1.html"), _cand("other", _body(51)), _cand("same", body, path="/b/1.html")]
    (tables, dups), (want_tables, want_dups) = _both(cands)
    assert tables == want_tables and dups == want_dups
    assert [r["page_id"] for r in tables["articles"]] == ["other", "same"]
    assert [(r["page_id"], r["path"]) for r in dups] == [("same", "/b/1.html")]
    assert tables["articles"][1]["duplicate_count"] == 1


def test_a_naive_date_orders_as_the_local_time_it_stands_for(monkeypatch):
    body = _body(60)
    naive = _cand("z-naive", body)
    naive["metadata"]["published_at"] = dt.datetime(2024, 5, 1, 12)  # 04:00 UTC in Shanghai
    aware = _cand("a-aware", body)
    aware["metadata"]["published_at"] = dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        (tables, dups), (want_tables, want_dups) = _both([aware, naive])
    finally:
        monkeypatch.undo()
        time.tzset()
    assert tables == want_tables and dups == want_dups
    assert [r["page_id"] for r in tables["articles"]] == ["z-naive"]


def test_no_pages_give_empty_tables():
    tables, dups = build_tables([])
    assert dups == [] and all(rows == [] for rows in tables.values())
