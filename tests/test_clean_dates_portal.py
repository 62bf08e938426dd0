"""Publication dates on real portal pages: one small handwritten page per failure class."""
from datetime import datetime, timedelta, timezone

import pytest

from pipeline.clean import clean_page
from pipeline.clean.pubdate import classified_dates, vocab, yearless_dates

BODY = "".join(f"<p>第{i}段，数字政府建设持续推进，政务服务事项网上可办率不断提升，群众办事更加便捷。</p>" for i in range(1, 5))


def page(head: str = "", header: str = "", scripts: str = "", title: str = "全市政务服务工作会议召开") -> str:
    return (f"<html><head><title>{title}_某某市人民政府</title>{head}</head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/x'>政务动态</a></div>"
            f"<h1>{title}</h1>{header}<div class='content'>{BODY}</div>{scripts}"
            f"<div class='footer'>主办单位：某某市人民政府办公室</div></body></html>")


def date_of(html: str, **kw):
    a = clean_page(html, "html", **kw)
    return a.published_at, a.published_at_source


# a visible date without a year, the full one in <meta> or a script

def test_yearless_date_takes_the_year_of_a_script_date_of_the_same_day():
    html = page(header="<div class='info'>发布时间：10-08 09:30</div>",
                scripts="<script>var publishTime = \"2021-10-08 09:30:00\";</script>")
    assert date_of(html)[0] == "2021-10-08T09:30:00+08:00"


def test_yearless_date_beats_a_later_meta_and_counts_the_year_back():
    html = page(head="<meta name='PubDate' content='2022-03-01 12:00:00'>",
                header="<div class='info'>发布时间：10-08</div>")
    assert date_of(html)[0] == "2021-10-08"


def test_yearless_date_without_any_full_date_stays_unknown():
    assert date_of(page(header="<div class='info'>发布时间：10-08</div>"))[0] is None


def test_yearless_needs_a_publish_label():
    assert yearless_dates("活动时间：10-08") == []
    assert yearless_dates("发布时间：10-08 09:30") == [("published", (None, 10, 8, 9, 30))]
    assert yearless_dates("发布时间：18-03-08") == [("published", (2018, 3, 8, None, None))]


def test_yearless_date_in_spans_run_together_takes_the_year_of_an_update_meta():
    html = page(head="<meta itemprop='dateUpdate' content='2019-10-08 12:00:57'>",
                header="<div class='source'><span class='date'>发布时间：10-08</span><span class='time'>12:00</span>"
                       "<span>优质作者</span></div>",
                scripts="<script>var info = {\"time\": \"2019-12-29 22:31:02\"};</script>")
    assert date_of(html)[0] == "2019-10-08T12:00:57+08:00"


# relative dates beside a script timestamp

def test_relative_date_gives_way_to_the_script_timestamp():
    html = page(header="<em id='publish_time'>昨天</em>",
                scripts="<script>var ct = \"1581418070\";</script>")
    assert date_of(html) == ("2020-02-11T18:47:50+08:00", "meta")


def test_script_timestamp_in_milliseconds():
    html = page(header="<span>3小时前</span>", scripts="<script>window.DATA = {ct: 1581418070000};</script>")
    assert date_of(html)[0] == "2020-02-11T18:47:50+08:00"


def test_relative_date_without_a_reference_stays_unknown():
    assert date_of(page(header="<span class='time'>昨天 18:00</span>"))[0] is None


@pytest.mark.parametrize("fetched,expected", [
    (datetime(2020, 2, 12, 3, 0, tzinfo=timezone.utc), "2020-02-11"),   # 11:00 in Beijing
    (datetime(2020, 2, 11, 20, 0, tzinfo=timezone.utc), "2020-02-11"),  # 04:00 on the 12th in Beijing
    (datetime(2020, 2, 12, 11, 0, tzinfo=timezone(timedelta(hours=8))), "2020-02-11"),
])
def test_relative_date_counts_back_from_the_fetch_in_beijing_time(fetched, expected):
    assert date_of(page(header="<span class='time'>昨天</span>"), fetched_at=fetched)[0] == expected


def test_relative_hours_from_the_server_clock_in_a_script():
    html = page(header="<span class='time'>3小时前</span>",
                scripts="<script>var serverTime = 1581418070;</script>")
    assert date_of(html)[0] == "2020-02-11T15:47:50+08:00"


# mirrors: <meta> carries the mirror's crawl date, the header the article's own

def test_visible_labelled_date_beats_a_later_meta_date():
    html = page(head="<meta name='PubDate' content='2024-06-03 14:25:31'>",
                header="<p class='fl'>日期：2024-05-30 10:10 来源：某某街道</p>")
    assert date_of(html) == ("2024-05-30T10:10:00+08:00", "header")


def test_meta_stays_when_the_visible_date_is_later():
    html = page(head="<meta name='PubDate' content='2024-05-30 10:10:00'>",
                header="<p class='fl'>日期：2024-06-03 来源：某某街道</p>")
    assert date_of(html) == ("2024-05-30T10:10:00+08:00", "meta")


def test_byline_naming_the_source_beats_a_later_meta_date():
    html = page(head="<meta name='PubDate' content='2024-06-03 14:25:31'>",
                header="<p class='info'>2024-05-30 10:10 来源：某某街道</p>")
    assert date_of(html)[0] == "2024-05-30T10:10:00+08:00"


def test_a_word_after_a_date_does_not_make_it_the_published_one():
    html = page(header="<div class='up'>最新推荐文章于 2024-09-04 17:53:10 发布</div>"
                       "<div class='byline'>作者：张三 于 2024-03-12 13:08:03 发布</div>")
    assert date_of(html)[0] == "2024-03-12T13:08:03+08:00"


def test_an_event_time_is_no_publish_label():
    assert classified_dates("活动时间：2024-05-01") == [("", "2024-05-01")]
    assert classified_dates("时间：2024-05-01") == [("generic", "2024-05-01")]


# official documents: 成文日期 / 发文日期 beside a 发布日期 or a 生成日期

INFO_TABLE = ("<table class='xxgk'><tr><td>索引号：</td><td>11440000/2024-00123</td>"
              "<td>发布机构：</td><td>某某市统计局</td></tr>"
              "<tr><td>{signed_label}</td><td>2024-04-18</td>{published}</tr></table>")


def test_issued_date_beats_a_later_generated_meta():
    html = page(head="<meta name='PubDate' content='2024-05-16 12:34:05'>"
                     "<meta name='others' content='页面生成时间 2024-05-16 12:34:05'>",
                header=INFO_TABLE.format(signed_label="发文日期：", published=""))
    assert date_of(html)[0] == "2024-04-18"


def test_signed_and_published_follow_the_precedence_of_the_data_file():
    html = page(head="<meta name='PubDate' content='2024-04-20 09:00:00'>",
                header=INFO_TABLE.format(signed_label="成文日期：", published="<td>发布日期：</td><td>2024-04-20</td>"))
    expected = {"signed": "2024-04-18", "published": "2024-04-20"}[vocab()["precedence"][0]]
    assert date_of(html)[0][:10] == expected


def test_generated_stamp_ranks_below_the_document_dates():
    labels = dict((iso, kind) for kind, iso in classified_dates(
        "成文日期：2024-04-18 发布日期：2024-04-20 生成日期：2024-05-16 2024-05-17 更新"))
    assert labels == {"2024-04-18": "signed", "2024-04-20": "published", "2024-05-16": "generated",
                      "2024-05-17": "generated"}
    html = page(header="<div>生成日期：2024-05-16</div><div>发布日期：2024-04-20</div>")
    assert date_of(html)[0] == "2024-04-20"


# no date found: it sits in a script variable or in a <span> beside the source

def test_an_update_date_in_the_markup_is_the_last_resort():
    assert date_of(page(head="<meta itemprop='dateUpdate' content='2020-02-14 10:47:36'>"))[0] == \
        "2020-02-14T10:47:36+08:00"
    html = page(head="<meta itemprop='dateUpdate' content='2020-02-14 10:47:36'>",
                header="<p>来源：某某日报 2020-02-10</p>")
    assert date_of(html)[0] == "2020-02-10"


def test_date_in_a_script_state_blob():
    html = page(header="<span class='timeLabel'>昨天</span>",
                scripts="<script>window.__STATE__ = {\"topic\": {\"publishDate\": \"2019-09-07T00:31:40.109Z\"}};</script>")
    assert date_of(html)[0] == "2019-09-07T08:31:40+08:00"


def test_script_listing_other_items_is_not_a_date():
    items = ", ".join(f'{{"title": "相关{i}", "publishDate": "2019-0{i}-01"}}' for i in range(1, 4))
    html = page(scripts=f"<script>window.__STATE__ = {{\"related\": [{items}]}};</script>")
    assert date_of(html)[0] is None


def test_relative_stamp_with_its_machine_time_in_an_attribute():
    html = page(header="<cite><span>某某日报</span> <abbr title='2012-01-12T08:45:00Z'>3小时前</abbr></cite>")
    assert date_of(html)[0] == "2012-01-12T16:45:00+08:00"


def test_bare_date_in_a_span_under_the_headline():
    html = page(header="<div class='tip'><span class='pr20'>2019-09-26 10:56:28</span>"
                       "<a href='http://example.cn/a.html'>证券时报网</a></div>")
    assert date_of(html) == ("2019-09-26T10:56:28+08:00", "header")


# text dumps

def test_text_dump_labelled_byline_and_relative_without_reference():
    lines = ["首页 新闻 政务", "全市政务服务工作会议召开", "时间： 2012-01-17  来源：某某日报",
             *[f"第{i}段，数字政府建设持续推进，政务服务事项网上可办率不断提升，群众办事更加便捷。" for i in range(4)]]
    assert clean_page("\n".join(lines), "text").published_at == "2012-01-17"
    lines[2] = "3小时前  来源：某某日报"
    assert clean_page("\n".join(lines), "text").published_at is None


def test_the_fetch_limit_is_a_beijing_day_on_any_machine(monkeypatch):
    """Issue 14, item 5: a page dated today in Beijing keeps its date under any TZ."""
    import time
    from datetime import datetime, timedelta, timezone

    from pipeline.clean.pubdate import not_after

    fetched = datetime(2024, 5, 5, 17, 0, tzinfo=timezone.utc)  # 01:00 on 6 May in Beijing
    for tz in ("America/Los_Angeles", "UTC", "Pacific/Kiritimati"):
        monkeypatch.setenv("TZ", tz)
        time.tzset()
        assert not_after("2024-05-06", fetched) and not not_after("2024-05-07", fetched)
        today = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
        assert not_after(today, None)
    monkeypatch.delenv("TZ")
    time.tzset()
