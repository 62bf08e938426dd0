"""The sixth round of the cleaner's speed (issue 16): each faster path answers as the slower
one it replaced, on small pages and lines written for the edge it could get wrong."""
from __future__ import annotations

import random

import pytest
from lxml import etree

from pipeline.clean import dating, dom, memo, pubdate
from pipeline.clean.dating import date_signals, label_lines


def _blocks(html: str) -> list[tuple]:
    root = dom.parse(html)
    dom.strip_furniture(root)
    return [(b.text, round(b.link_ratio, 6), b.heading, b.elem.tag) for b in dom.linearize(root)]


def test_parse_reads_the_text_not_the_charset_the_page_declares():
    """The parser is given UTF-8 bytes: a page that says it is GBK (as most of a GB18030 site's
    pages do, decoded before the cleaner sees them) is still read as the text it is."""
    page = '<html><head><meta charset="gbk"><meta http-equiv="Content-Type" content="text/html; charset=big5">' \
           "<title>数字政府</title></head><body><p>政务服务一网通办，群众办事更方便。</p></body></html>"
    root = dom.parse(page)
    assert dom.text_content(root.find(".//p")) == "政务服务一网通办，群众办事更方便。"
    assert root.findtext(".//title") == "数字政府"


def test_parse_drops_refused_characters_and_reads_an_empty_page():
    root = dom.parse("<p>控制\x08字符\ud800与\ufffe正文</p>")
    assert dom.text_content(root) == "控制字符与正文"
    for empty in ("", "   \n\t ", "\u3000"):
        assert etree.tostring(dom.parse(empty)) == b"<html/>"
    assert dom.text_content(dom.parse('<?xml version="1.0" encoding="gbk"?><p>文字</p>')) == "文字"


@pytest.mark.parametrize("text", ["", "a", "文字", "控制\x08", "\ud800", "\ufffe", "\uffff", "a\x1fb", "\t\n\r ok"])
def test_xml_safe_bytes_are_the_utf8_of_a_safe_text(text):
    raw = dom._utf8_if_safe(text)
    assert (raw is not None) is (dom._NOT_XML.search(text) is None)
    if raw is not None:
        assert raw == text.encode("utf-8")


def test_linearize_white_space_around_blocks_makes_no_block_and_keeps_link_share():
    """White space opening a block is not buffered: the blocks, texts and link shares are those
    a buffer of it would have given (spaces inside a line still join its words)."""
    page = ("<div>\n  <p>\n  第一段 <b> 加粗 </b>\n</p>\n \n<p>  <a href='#'>  链接  </a> 文字 </p>"
            "<ul>\n<li>\n<a href='#'>\n</a>\n</li><li> <a href='#'>菜单</a></li></ul>"
            "<br>  <br> 尾巴 <td> </td>\n</div>")
    assert _blocks(page) == [("第一段 加粗", 0.0, False, "p"), ("链接 文字", 0.4, False, "p"),
                             ("菜单", 1.0, False, "li"), ("尾巴", 0.0, False, "div")]


def test_linearize_ignores_leading_space_of_a_link_when_counting_its_characters():
    page = "<p>\n<a href='#'>   </a>正文内容<a href='#'> 链 </a></p>"
    assert _blocks(page) == [("正文内容 链", 0.166667, False, "p")]


FW = "０１２３４５６７８９：－／．"
CHARS = "20１９年5月３０日：-/. 发布时间ab\u3000"


@pytest.mark.parametrize("seed", range(20))
def test_half_width_is_the_translation(seed):
    rnd = random.Random(seed)
    text = "".join(rnd.choice(CHARS + FW) for _ in range(rnd.randint(0, 30)))
    assert pubdate.half_width(text) == text.translate(pubdate._FW)


def test_lines_without_a_century_have_no_full_date():
    """The byline and 'anywhere' readers skip a line without 19/20 (either width): it has no
    full date; a full-width one is still read."""
    for line in ("电话：12345678", "第3期 共8页", "03-08 10:00", "21年3月8日"):
        assert not pubdate.has_century(line) and pubdate.classified_dates(line) == []
    assert pubdate.classified_dates("发布时间：２０２４年５月３０日") == [("published", "2024-05-30")]
    page = ["首页", "电话：12345678", "发布时间：２０２４年５月３０日", "正文"]
    memo.clear()
    sig = date_signals([], page, ["作者：张三 电话：010-1234", "来源：新华社 2024-05-29"], [], [])
    assert sig.anywhere == ["2024-05-30"]
    assert sig.byline == ["2024-05-29"] and sig.labelled_byline == ["2024-05-29"]


def test_a_known_label_alone_joins_the_next_cell_spaced_or_not():
    memo.clear()
    texts = ["成 文 日 期", "2024-05-30", "发布日期：", "2024-06-01", "不是标签", "2024-06-02", "成文日期"]
    assert label_lines(texts) == ["成 文 日 期 2024-05-30", "2024-05-30", "发布日期： 2024-06-01", "2024-06-01",
                                  "不是标签", "2024-06-02", "成文日期"]
    assert dating._known_label("ＰＯＳＴＥＤ") is False and dating._known_label("Posted") is True


PIECES = ['var pubDate = "2024-05-30 10:00";', "ct:1581418070,", "x=1;", 'a: "b",', "time = '2019/3/8',",
          "t=15814180701234;", "n = 20240530;", "url:'http://x/2020-01-01',", ":=", "=:", " ", "\n", "publishTime:",
          '"2023.1.2"', "serverTime = 1700000000", "1581418070", "2024-05-30", "发布时间：", "v=1.5814180701"]


@pytest.mark.parametrize("seed", range(30))
def test_first_script_value_is_where_the_pattern_first_matches(seed):
    from pipeline.clean import html

    rnd = random.Random(seed)
    text = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 25)))
    m = html._SCRIPT_VALUE.search(text)
    assert html._first_value(text) == (m.start() if m else None)
    start = html._first_value(text)
    got = [] if start is None else [x.span() for x in html._SCRIPT_VALUE.finditer(text, start)]
    assert got == [x.span() for x in html._SCRIPT_VALUE.finditer(text)]


def test_script_times_reads_values_after_a_colon_or_an_equals_sign():
    from pipeline.clean import html

    page = ("<html><head><script>var a = 1; var pubDate = \"2024-05-30 10:00\"; var ct = 1581418070;</script>"
            "<script>var o = {serverTime: 1700000000, x: 'y'};</script><script src='a.js'>var publishTime='2020-01-01'"
            "</script><script>var b = 2; c: 3;</script></head><body><p>正文</p></body></html>")
    got = html.script_times(dom.Tagged(dom.parse(page)))
    assert got["published"] == ["2024-05-30T10:00:00+08:00"]
    assert got["created"] == ["2020-02-11T18:47:50+08:00"] and got["reference"] == ["2023-11-15T06:13:20+08:00"]
