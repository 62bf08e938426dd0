"""The release's front page (report.html) and its coverage charts (issue 15): the verdict, rows
per table, failed expectations in words with example rows, rejected pages by reason, the
articles added, removed and changed, static SVG charts; for a blocked run too."""
from __future__ import annotations

import random
import re
import shutil
import subprocess

import pyarrow as pa
import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, article, good_tables
from pipeline.publish import charts
from pipeline.publish.diff import article_changes
from pipeline.publish.release import ValidationBlocked, publish_release
from pipeline.tables import to_arrow

pytestmark = pytest.mark.filterwarnings("ignore")

HOSTILE = '<img src=x onerror="alert(1)">改过的标题'
LIMITS = {**RUN_INFO, "limits": {"min_topic_score": 0.05, "min_chars": 120}}


def _first() -> dict:
    t = good_tables()
    t["articles"].append(article("bad", source="米乐m6体育官网"))
    t["people"].append({"article_id": "bad", "name": "钱七", "role": "mentioned", "evidence": "钱七"})
    return t


def _second() -> dict:
    t = good_tables()
    t["articles"][0]["title"] = HOSTILE
    t["articles"][1] = article("a9", title="新的一篇", published_at="2024-06-01")
    for name in ("people", "statistics"):
        t[name] = [r for r in t[name] if r["article_id"] != "a2"]
    return t


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    first = publish_release(_first(), PAGE_REJECTS, LIMITS, out, now=NOW)
    second = publish_release(_second(), PAGE_REJECTS, LIMITS, out, now=NOW)
    return out, first, second


def _text(page: str) -> str:
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_published_report_answers_a_stewards_questions(releases):
    _, first, _ = releases
    page = (first.path / "report.html").read_text("utf-8")
    text = _text(page)
    assert "Published." in text and "2 articles released" in text
    # rows in / quarantined / released per table
    assert re.search(r"articles 3 1 2 people 3 1 2 organizations 1 0 1", text)
    # the failed expectation in words, its effect and the row that failed it
    assert "expected no source to contain a spam brand" in text
    assert "1 row quarantined" in text and '["bad"]' in text and "体育官网" in text
    # pages rejected by reason, with an example and what the reason means
    assert "empty 1 the file is empty empty.html" in text
    assert "The run kept pages with a topic score of at least 0.05" in text
    assert "This is the first release" in text
    for href in ("validation/index.html", "rejected.parquet", "README.md", "CITATION.cff"):
        assert f'href="{href}"' in page and (first.path / href).is_file()


def test_report_lists_articles_added_removed_changed_by_id_and_title(releases):
    _, first, second = releases
    text = _text((second.path / "report.html").read_text("utf-8"))
    assert f"From release {first.version} to {second.version}" in text
    assert "Articles added (1) a9 新的一篇" in text
    assert "Articles removed (1) a2 一网通办改革再提速" in text  # its title in the old release
    assert "Articles changed (1) a1" in text


def test_report_is_static_escaped_and_pii_free(releases):
    _, _, second = releases
    page = (second.path / "report.html").read_text("utf-8")
    assert "<script" not in page.lower() and "<img" not in page and "<link" not in page
    assert html_escaped(HOSTILE) in page
    assert 'http-equiv="Content-Security-Policy"' in page and "script-src 'none'" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing to fetch


def html_escaped(s: str) -> str:
    import html

    return html.escape(s, quote=True)


def test_report_and_charts_are_covered_by_the_checksums(releases):
    _, first, _ = releases
    listed = {line.split("  ", 1)[1] for line in (first.path / "SHA256SUMS").read_text().splitlines()}
    assert {"report.html", *(f"charts/{name}" for _, name, _ in charts.CHARTS)} <= listed


def test_blocked_run_gets_a_report_that_says_why(tmp_path):
    t = good_tables()
    t["articles"].append(article("a1", title="编号重复"))
    rejected = [*PAGE_REJECTS, {"page_id": "p-13912345678", "path": "pages/13912345678.html", "url": None,
                                "stage": "filter", "reason": "off_topic", "detail": "topic_score 0.010 < 0.05"}]
    with pytest.raises(ValidationBlocked) as e:
        publish_release(t, rejected, LIMITS, tmp_path, now=NOW)
    page = (e.value.docs_path / "report.html").read_text("utf-8")
    text = _text(page)
    assert "Blocked: nothing was published." in text
    assert "expected no two rows to share a article_id" in text and "blocked the release" in text
    assert "articles 3 0 0" in text
    assert "off_topic 1 topic score below --min-topic-score (0.05)" in text
    assert "13912345678" not in page  # a rejected page's path is redacted like the rest
    assert 'href="index.html"' in page and 'href="rejected.csv"' in page
    assert (e.value.docs_path / "charts" / "articles_per_month.svg").is_file()


def test_a_run_where_no_page_became_an_article_says_what_to_do(tmp_path):
    t = {name: [] for name in good_tables()}
    rejected = [{"page_id": f"p{i}", "path": f"news/{i}.html", "url": None, "stage": "filter",
                 "reason": "off_topic", "detail": "topic_score 0.010 < 0.05"} for i in range(4)]
    with pytest.raises(ValidationBlocked) as e:
        publish_release(t, rejected, {"pages_in": 4, "limits": LIMITS["limits"]}, tmp_path, now=NOW)
    text = _text((e.value.docs_path / "report.html").read_text("utf-8"))
    assert "No page became an article: 4 off_topic." in text
    assert "--min-topic-score 0 keeps every page, on topic or not" in text
    assert "expected the table to hold between 1 and 10000000 rows" in text
    assert "No articles." in text  # the charts say so instead of drawing nothing


def test_article_changes_are_capped_with_a_count_of_the_rest(tmp_path):
    old = publish_release(good_tables(), [], RUN_INFO, tmp_path, now=NOW, validate=False)
    t = good_tables()
    t["articles"] += [article(f"n{i}", title=f"新文章{i}") for i in range(3)]
    new = publish_release(t, [], RUN_INFO, tmp_path, now=NOW, validate=False)
    changes = article_changes(old.path, new.path, limit=2)
    assert changes["added"] == {"count": 3, "more": 1, "articles": [
        {"article_id": "n0", "title": "新文章0"}, {"article_id": "n1", "title": "新文章1"}]}
    assert changes["removed"]["count"] == changes["changed"]["count"] == 0
    text = _text((new.path / "report.html").read_text("utf-8"))
    assert "Articles added (3) n0 新文章0 n1 新文章1 n2 新文章2" in text


def _articles(rows: list[dict]) -> pa.Table:
    return to_arrow("articles", rows)


def test_month_chart_keeps_empty_months_and_counts_the_undated():
    rows = [article("a", published_at="2023-01-31T23:30:00+08:00"), article("b", published_at="2023-03-01"),
            article("c", published_at=None)]
    months, undated, unit = charts.by_month(_articles(rows))
    assert months == [("2023-01", 1), ("2023-02", 0), ("2023-03", 1)] and undated == 1 and unit == "month"
    title, svg = charts.render_all(_articles(rows))["articles_per_month.svg"]
    assert "1 undated not shown" in title and svg.count("<rect") == 1 + 3


def test_a_long_span_is_charted_per_year():
    rows = [article("a", published_at="2001-05-01"), article("b", published_at="2020-05-01")]
    months, _, unit = charts.by_month(_articles(rows))
    assert unit == "year" and months[0] == ("2001", 1) and months[-1] == ("2020", 1) and len(months) == 20


def test_region_keyword_and_source_type_counts():
    rows = [article("a", region_codes=["310101", "310000", "110000"], keywords=["数字政府", "政务云"]),
            article("b", region_codes=[], keywords=["数字政府"], source_type=None)]
    t = _articles(rows)
    assert charts.by_region(t) == [("(none)", 1), ("上海市", 1), ("北京市", 1)]  # a district counts for its province once
    assert charts.by_keyword(t) == [("数字政府", 2), ("政务云", 1)]
    assert charts.by_source_type(t) == [("(none)", 1), ("research", 1)]


def test_charts_are_deterministic_static_and_escaped():
    rows = [article(f"a{i}", keywords=[f"词{i % 3}", "<b>&x"], published_at=f"2023-0{1 + i % 5}-02")
            for i in range(12)]
    shuffled = list(rows)
    random.Random(3).shuffle(shuffled)
    first, second = charts.render_all(_articles(rows)), charts.render_all(_articles(shuffled))
    assert first == second
    for _, svg in first.values():
        assert svg.startswith("<svg ") and "<script" not in svg and "<b>" not in svg
    assert "&lt;b&gt;&amp;x" in first["articles_by_keyword.svg"][1]


def test_many_keywords_show_the_top_and_say_so():
    rows = [article(f"a{i}", keywords=[f"词{i:02d}"]) for i in range(30)]
    title, svg = charts.render_all(_articles(rows))["articles_by_keyword.svg"]
    assert title.endswith(f"(top {charts.TOP} of 30)") and svg.count("<rect") == 1 + charts.TOP


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian package `chromium`)")
def test_report_renders_offline_in_headless_chromium(releases, tmp_path):
    _, _, second = releases
    page = (second.path / "report.html").resolve()
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update",
                           "--proxy-server=127.0.0.1:9", f"--user-data-dir={tmp_path / 'profile'}",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert "Published." in dom and "Articles added" in dom
    assert dom.count("<svg") == len(charts.CHARTS)
    assert "<img" not in dom and "&lt;img src=x" in dom  # the hostile title is text, not an element


def test_a_report_that_cannot_be_written_does_not_hide_the_block(tmp_path, monkeypatch):
    from pipeline.publish import report

    monkeypatch.setattr(report, "render", lambda *a, **k: 1 / 0)
    t = good_tables()
    t["articles"].append(article("a1", title="编号重复"))
    with pytest.raises(ValidationBlocked, match="expect_column_values_to_be_unique"):
        publish_release(t, PAGE_REJECTS, LIMITS, tmp_path, now=NOW)
    assert (tmp_path / "blocked" / "2026.11.23" / "index.html").is_file()
