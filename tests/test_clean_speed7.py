"""The seventh round of the cleaner's speed (issue 16): each faster path answers as the slower
one it replaced, on small pages written for the edge it could get wrong."""
from __future__ import annotations

import threading

import pytest
from lxml import etree

from pipeline.clean import dating, dom
from pipeline.clean.html import clean_html
from pipeline.clean.pubdate import has_century
from pipeline.ingest import decode
from pipeline.ingest.decode import decode_bytes, utf8_of

PAGE = ('<html><head><title>数字政府建设</title></head><body><div class="nav"><a href="/">首页</a></div>'
        '<div id="content"><h1>数字政府建设提速</h1><p>来源：某某日报 2024-03-05</p>'
        '<p>政务服务一网通办，群众办事更方便，<b>企业</b>开办时间压缩到一天。</p>'
        '<p style="display:none">隐藏的文字</p><br>尾部文字<span>行内</span></div></body></html>')


@pytest.mark.parametrize("raw", [
    PAGE.encode("utf-8"),
    b"",
    b"a",
    "\u3000 全角空格与表情😀".encode("utf-8"),
    b"\xef\xbb\xbf<p>\xe6\x96\x87\xe5\xad\x97</p>",  # a BOM: the text is not the bytes
    PAGE.replace("utf-8", "gbk").encode("gb18030"),
])
def test_utf8_of_is_encode(raw):
    text, _enc = decode_bytes(raw)
    assert utf8_of(text) == text.encode("utf-8")
    copy = "".join(list(text))  # equal, another object
    assert utf8_of(copy) == text.encode("utf-8")


def test_utf8_of_hands_back_the_bytes_just_decoded_and_nothing_older():
    raw = PAGE.encode("utf-8")
    text, enc = decode_bytes(raw)
    assert enc == "utf-8" and utf8_of(text) is raw
    other, _ = decode_bytes("<p>另一页</p>".encode())
    assert utf8_of(other) == "<p>另一页</p>".encode()
    assert utf8_of(text) is not raw and utf8_of(text) == raw  # encoded again, same bytes
    gb, enc = decode_bytes("<p>政务公开</p>".encode("gb18030"))
    assert enc == "gb18030" and utf8_of(gb) == "<p>政务公开</p>".encode()


def test_utf8_of_refuses_a_lone_surrogate_as_encode_does():
    with pytest.raises(UnicodeEncodeError):
        utf8_of("文\ud800字")


def test_utf8_of_is_kept_a_thread():
    raw = PAGE.encode("utf-8")
    text, _ = decode_bytes(raw)
    seen = []
    t = threading.Thread(target=lambda: seen.append(getattr(decode._last, "pair", None)))
    t.start()
    t.join()
    assert seen == [None] and utf8_of(text) is raw


def _article(text: str) -> tuple:
    a = clean_html(text)
    return a.title, a.paragraphs, a.published_at, a.source_raw, a.authors, a.meta_lines, a.removed


@pytest.mark.parametrize("raw", [
    PAGE.encode("utf-8"),
    PAGE.replace("<p>政务", "<p>控制\x08字符 政务").encode("utf-8"),  # refused characters: dropped either way
    ('<?xml version="1.0" encoding="utf-8"?>' + PAGE).encode("utf-8"),
])
def test_a_page_parsed_from_its_own_bytes_reads_as_from_its_text(raw):
    text, _ = decode_bytes(raw)
    via_bytes = _article(text)
    decode._last.pair = None
    assert _article("".join(list(text))) == via_bytes


LINES = [
    "发布日期：", "2024-03-05",  # a bare label joined to the next line's date
    "成 文 日 期", "２０２３年１２月１日",  # a known label alone, full-width digits
    "来源：", "某某日报" + "。" * 70 + "2024",  # the next line's year past its first 60 characters
    "第1", "9号文件",  # '1' and '9' on two lines: no '19'
    "时间：2020年5月1日",
    "x" * 199 + "2021", "y" * 200 + "2022",  # 200 characters and more: never a label line
    "日期：", "文" * 100 + "2023" + "字" * 150,  # a long line's year past the 60 characters a label reads
    "日期：", "2023年" + "字" * 250,  # and within them
    "更新时间：",  # a label on the last line
]


@pytest.mark.parametrize("texts", [LINES, LINES[::-1], LINES[1:], [], ["2024"], ["日期："]])
def test_century_label_lines_are_the_label_lines_with_a_century(texts):
    want = [t for t in dating._label_lines(texts) if has_century(t)]
    assert list(dating._century_label_lines(texts)) == want


def test_century_label_lines_join_a_label_to_the_date_below():
    got = list(dating._century_label_lines(LINES))
    assert "发布日期： 2024-03-05" in got and "成 文 日 期 ２０２３年１２月１日" in got
    assert not any(t.startswith("来源") for t in got) and not any(t.startswith("第1") for t in got)


def test_parse_gives_the_same_tree_from_the_decoded_bytes_as_from_a_copy_of_the_text():
    raw = PAGE.encode("utf-8")
    text, _ = decode_bytes(raw)
    tree = etree.tostring(dom.parse(text), encoding="unicode")
    decode._last.pair = None
    assert tree == etree.tostring(dom.parse("".join(list(text))), encoding="unicode")
    assert "隐藏的文字" in tree and "数字政府建设提速" in tree
