"""Incremental runs: only new pages are processed; nothing new publishes nothing."""
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.run import incremental
from pipeline.flows import run, sample_dir

NEW_PAGE = """长沙推进“一网通办”改革 政务服务事项全部实现网上可办
2024-05-06 09:30:00 来源:湖南日报
本报讯 近日，长沙市数据资源管理局介绍，全市依申请政务服务事项已全部实现网上可办，电子证照共享应用不断深化，企业和群众办事更加便利。
长沙市持续推进数字政府建设，依托政务云平台整合各部门业务系统，推动数据要素在政务服务、城市治理等领域高效流通，“一网统管”平台已接入城市运行数据一百余类。
下一步，长沙将加快建设城市大脑，提升政务数据共享水平，让数据多跑路、群众少跑腿。
"""


@pytest.fixture
def pages(tmp_path):
    d = tmp_path / "pages"
    shutil.copytree(sample_dir(), d)
    return d


def _release(summary) -> Path:
    return Path(summary.release)


def test_second_run_with_nothing_new_publishes_nothing(prefect_harness, pages, tmp_path):
    out = tmp_path / "out"
    first = run([pages], out)
    again = run([pages], out)
    assert not again.published and again.unchanged_pages == 5
    assert again.release == first.release
    assert sorted(p.name for p in (out / "releases").iterdir() if p.is_dir()) == [Path(first.release).name]


def test_new_page_is_added_and_old_rows_kept(prefect_harness, pages, tmp_path):
    out = tmp_path / "out"
    first = run([pages], out)
    (pages / "new.txt").write_text(NEW_PAGE, "utf-8")
    second = run([pages], out)
    assert second.published and second.new_pages == 1 and second.unchanged_pages == 5
    assert second.pages_in == 6 and second.articles == 6
    old = pq.read_table(_release(first) / "data" / "articles.parquet").to_pylist()
    new = {a["article_id"]: a for a in pq.read_table(_release(second) / "data" / "articles.parquet").to_pylist()}
    assert all(new[a["article_id"]] == a for a in old)
    assert (out / "releases" / "LATEST").read_text().strip() == _release(second).name
    # the old rows are the old files, linked; the new article is a part of its own
    old_part = _release(first) / "data" / "articles.parquet" / "part-00000.parquet"
    assert old_part.stat().st_ino == (_release(second) / "data" / "articles.parquet" / "part-00000.parquet").stat().st_ino
    assert pq.read_table(_release(second) / "data" / "articles.parquet" / "part-00001.parquet").num_rows == 1


def test_full_and_new_pipeline_version_reprocess_everything(prefect_harness, pages, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run([pages], out)
    assert run([pages], out, full=True).new_pages == 5
    monkeypatch.setattr(incremental, "PIPELINE_VERSION", "999.0")
    assert incremental.load_prior(out) is None


def test_recrawl_of_a_released_article_counts_as_its_duplicate(prefect_harness, pages, tmp_path):
    out = tmp_path / "out"
    first = run([pages], out)
    page = sorted(pages.iterdir())[0]
    (pages / "recrawl.txt").write_bytes(page.read_bytes() + b"\n\n")  # new bytes, same article
    again = run([pages], out)
    assert (again.pages_in, again.articles, again.duplicates, again.new_pages) == (6, 5, 1, 1)
    old = pq.read_table(Path(first.release) / "data" / "articles.parquet").to_pylist()
    new = pq.read_table(Path(again.release) / "data" / "articles.parquet").to_pylist()
    assert [a["article_id"] for a in old] == [a["article_id"] for a in new]
    bumped = [a for a in new if a["duplicate_count"] == 1]
    assert len(bumped) == 1
    rejected = pq.read_table(Path(again.release) / "rejected.parquet").to_pylist()
    dup = [r for r in rejected if r["reason"] == "duplicate_of"]
    assert [r["duplicate_of"] for r in dup] == [bumped[0]["article_id"]]
    assert len(rejected) == len(pq.read_table(Path(first.release) / "rejected.parquet")) + 1


def test_a_file_rewritten_with_the_same_size_and_mtime_is_not_served_from_the_cache(prefect_harness, tmp_path):
    """Issue 14, item 5: cp -p / rsync -t keep size and mtime; the shard cache (shared by every
    output folder) must still see the new content."""
    import os

    d = tmp_path / "pages"
    d.mkdir()
    page = d / "news.txt"
    page.write_text(NEW_PAGE, "utf-8")
    st = page.stat()
    first = run([d], tmp_path / "out1")
    assert "长沙" in pq.read_table(_release(first) / "data" / "articles.parquet").column("title")[0].as_py()
    replaced = NEW_PAGE.replace("长沙", "株洲")
    assert len(replaced.encode()) == st.st_size
    page.write_text(replaced, "utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = run([d], tmp_path / "out2")
    titles = pq.read_table(_release(second) / "data" / "articles.parquet").column("title").to_pylist()
    assert titles and "株洲" in titles[0] and "长沙" not in titles[0]


def test_an_option_that_changes_the_result_is_applied_and_said(prefect_harness, pages, tmp_path):
    """Issue 15: a run with another --min-topic-score on an output that has a release does not
    answer "nothing new": it processes the pages again, says why, and the next run with the
    same options has nothing new."""
    out = tmp_path / "out"
    first = run([pages], out)
    again = run([pages], out, min_topic_score=0.0)
    assert again.published and again.release != first.release
    assert again.note and "min_topic_score 0.05 -> 0.0" in again.note and "processed again" in again.line()
    third = run([pages], out, min_topic_score=0.0)
    assert not third.published and third.unchanged_pages == 5
