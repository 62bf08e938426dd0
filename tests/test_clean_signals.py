"""One signal at a time: dates, bylines, markers, captions, contacts, line scores, decoding."""
from datetime import datetime

import pytest

from pipeline.clean.assemble import best_run
from pipeline.clean.dating import choose_date
from pipeline.clean.markers import classify, find_markers, load_marker_patterns
from pipeline.clean.meta import is_byline, parse_byline
from pipeline.clean.pubdate import date_from_url, find_dates, labelled_dates, parse_date
from pipeline.clean.signals import is_caption, is_contact_line, line_score
from pipeline.clean.text import clean_text
from pipeline.clean.titles import pick_title, strip_site_name
from pipeline.ingest.decode import decode_bytes


@pytest.mark.parametrize("s, iso", [
    ("时间 : 2021-11-28 16:23:59 来源", "2021-11-28T16:23:59+08:00"),
    ("2023 年 5 月 30 日,由", "2023-05-30"),
    ("2012年01月12日 07:37", "2012-01-12T07:37:00+08:00"),
    ("2023.08.03", "2023-08-03"),
    ("２０２３／０８／０３", "2023-08-03"),
])
def test_find_dates_formats(s, iso):
    assert find_dates(s)[0] == iso


def test_year_less_and_invalid_dates_ignored():
    assert find_dates("4月8日,由中央党校") == []
    assert find_dates("2023-02-30") == []


def test_parse_date_meta_values():
    assert parse_date("2020-01-21T20:12:51Z") == "2020-01-22T04:12:51+08:00"
    assert parse_date("20200121") == "2020-01-21"


def test_date_from_url():
    assert date_from_url("http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html") == "2023-12-01"
    assert date_from_url("http://x.gov.cn/art/t20231201_88.html") == "2023-12-01"
    assert date_from_url("http://x.cn/a/123456.html") is None


def test_labelled_dates_in_footer_lines():
    assert labelled_dates("作者:zboygirl 阅读(1660) 评论(5) 发表于:2005-07-31 12:30") == ["2005-07-31T12:30:00+08:00"]
    assert labelled_dates("会议定于2005-07-31召开") == []


def test_choose_date_trust_and_future():
    assert choose_date([("meta", "2023-01-02"), ("header", "2023-01-03")], None, None) == ("2023-01-02", "meta")
    assert choose_date([("header", "2023-01-02"), ("text", "2023-01-02T10:00:00+08:00")], None, None)[0] == "2023-01-02T10:00:00+08:00"
    fetched = datetime(2023, 1, 1)
    assert choose_date([("header", "2023-06-01")], "http://x.cn/2022/12/31/a.html", fetched) == ("2022-12-31", "url")


def test_parse_byline():
    b = parse_byline("时间:2024-02-20 18:52:52        来源:米乐m6体育官网")
    assert b.source == "米乐m6体育官网" and b.dates == ["2024-02-20T18:52:52+08:00"]
    assert parse_byline("学习时报 / 2022-11-01 10:08:59").source == "学习时报"
    assert parse_byline("来源：北京商报字号:T|T").source == "北京商报"
    assert parse_byline("作者:陈宏曲 国务院办公厅电子政务办公室主任").authors == ["陈宏曲"]
    assert parse_byline("（责任编辑：王五、赵六）").editors == ["王五", "赵六"]


def test_is_byline_tells_meta_from_prose():
    assert is_byline("2023-08-03 10:12:47 来源:人民邮电报")
    assert not is_byline("2022年，济南数字化的经济占GDP比重达到47%，跃居全国数字化的经济城市排行榜第6位。")


def test_markers_file_and_classify():
    pats = load_marker_patterns()
    assert {"breadcrumb", "font_widget", "related", "disclaimer", "editor"} <= set(pats)
    assert classify("当前位置:首页 > 新闻中心 > 媒体报道").kind == "breadcrumb"
    assert classify("• 凡注明为其他媒体来源的信息，均为转载").action == "stop"
    assert classify("相关文章").action == "stop"
    assert classify("数字政府建设取得显著成效，相关文章已经发表在学术期刊上，引起了广泛关注和讨论。") is None
    assert find_markers("正文第一段。\n（责任编辑：张三）") == [("editor", "（责任编辑：张三）")]


def test_captions_and_contacts():
    assert is_caption("首届数字政府建设峰会设立成果展示区。 南都记者 冯芸清 摄")
    assert is_caption("(资料图片仅供参考)")
    assert not is_caption("数字政府建设是一个系统工程，需要统筹推进，各方协同发力。")
    assert is_contact_line("吴佳兴 17610059551 wujiaxing@caict.ac.cn")
    assert not is_contact_line("拨打12345便民热线，进行投诉。在新冠疫情期间，12345热线提供24小时全天候人工服务，有任何咨询都可以直接拨打。")


def test_line_score_sign():
    assert line_score("数字政府建设全面提速，数字技术不断升级，数字应用场景加速扩展。") > 0
    assert line_score("品牌 资讯 搭配 材料 时尚 热点") < 0
    assert line_score("数字政府建设全面提速，数字技术不断升级", link_ratio=1.0) < 0
    assert line_score("2023-08-03 10:12:47") < 0


def test_best_run():
    assert best_run([-5, 10, -2, 8, -20, 3]) == (1, 4)
    assert best_run([-1, -2]) == (0, 0)


def test_titles():
    assert strip_site_name("数字政府建设全面提速_新闻中心_某某网") == "数字政府建设全面提速"
    assert pick_title(["数字政府建设全面提速"], None, "数字政府建设全面提速_新闻中心") == "数字政府建设全面提速"
    assert pick_title(["某某网"], "一网通办让群众少跑腿", None) == "一网通办让群众少跑腿"


def test_text_dump_date_stamped_headline_run_dropped():
    lines = ["首页", "新闻", "数字政府建设亮点层出", "2023-08-03 来源：人民邮电报",
             "近年来，我国数字政府建设全面提速，数字技术不断升级，数字应用场景加速扩展。",
             "数据显示，截至2023年5月底，全国已有21个省份公开发布27项数字政府专项政策文件。"]
    for i in range(6):
        lines += [f"某地召开第{i}次推进会，部署下一阶段工作", f"8月{i + 1}日，某地召开推进会。总结", f"2023-08-0{i + 1} 10:00"]
    a = clean_text("\n".join(lines))
    assert a.title == "数字政府建设亮点层出" and a.source_raw == "人民邮电报"
    assert len(a.paragraphs) == 2 and "推进会" not in a.body


def test_decode_gb_big5_utf8_and_mojibake():
    s = "数字政府建设全面提速，数字技术不断升级，这是我们的目标。" * 3
    assert decode_bytes(s.encode("gb18030")) == (s, "gb18030")
    t = "數位政府建設全面提速，數位技術不斷升級，這是我們的目標。" * 3
    assert decode_bytes(t.encode("big5"))[0] == t
    assert decode_bytes(s.encode("utf-8")) == (s, "utf-8")
    text, enc = decode_bytes(s.encode("gbk").decode("latin-1").encode("utf-8"))
    assert text == s and enc.endswith("mojibake-repaired")
    wrong = ('<meta charset="utf-8">' + s).encode("gbk")
    assert decode_bytes(wrong)[0].endswith(s)
