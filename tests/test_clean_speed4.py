"""The fourth round of the cleaner's speed (issue 16): each faster path answers as the slower
one it replaced, on texts and small pages written for the edge it could get wrong."""
from __future__ import annotations

import random
import re

import pytest

from pipeline.clean import dom, markers, signals, spam
from pipeline.clean.html import source_element_texts
from pipeline.ingest import decode

EDGES = ["", "a", "中", "\u4dff", "\u4e00", "\u9fff", "\ua000", "\u009f", "\u00a0", "\u00ff", "\u0100",
         "\ud800", "\udfff", "\U00020000", "\U0001f600", "\x00", "\x08", "\t", "\n", "\r", "\x0b", "\x1f",
         "\ufffe", "\uffff", "\ufffd", " ", "\u3000", "\xa0", "\x1c", "\x85", "\u2028", "@", "1", "２", "Ã"]


def _texts(n: int = 3000, seed: int = 4):
    rnd = random.Random(seed)
    return [*EDGES, *("".join(rnd.choice(EDGES) for _ in range(rnd.randint(0, 12))) for _ in range(n))]


def test_character_counts_by_bytes_equal_the_regex_counts():
    for t in _texts():
        assert decode.cjk_count(t) == len(decode._CJK.findall(t))
        assert decode.latin_high_count(t) == len(decode._LATIN_HIGH.findall(t))


@pytest.mark.parametrize("share", [0.35, 0.5, 0.9])
def test_common_reaches_answers_as_the_whole_count(share):
    body = "的一是在不了有和人这" * 300 + "鏁板瓧鏀垮簻寤鸿" * 400  # common hanzi first, then rare ones
    for text in (body, body[::-1], "鏁" * 6000 + "的" * 10, "", "abc"):
        sample = text[:20000]
        cjk = max(1, len(decode._CJK.findall(sample)))
        whole = len(decode._COMMON_RE.findall(sample)) / cjk >= share
        assert decode.common_reaches(sample, lambda n: n / cjk >= share) is whole


def test_gb18030_page_with_latin1_mojibake_is_still_repaired():
    """The skipped share check covers only the GBK-read-as-UTF-8 kind; a GB18030 page that
    carries Latin-1 mojibake still goes through the repair."""
    prose = "数字政府建设推进会议在北京召开，会议指出要加快推进政务服务一网通办。" * 5
    assert decode.decode_bytes(prose.encode("gb18030"), "gb2312") == (prose, "gb18030")
    garbled = prose.encode("utf-8").decode("latin-1")
    page = ("<html><head><meta charset=gb2312></head><body>" + garbled + "</body></html>").encode("gb18030")
    text, enc = decode.decode_bytes(page)
    assert enc.endswith("+mojibake-repaired") and prose in text


def test_xml_safe_tells_what_the_regex_would_remove():
    for t in _texts():
        assert dom._xml_safe(t) is (dom._NOT_XML.search(t) is None)


def test_squeeze_and_white_space_removal_match_the_regex():
    ws = re.compile(r"\s+")
    for t in _texts():
        assert markers.squeeze(t) == ws.sub(" ", t).strip()


def test_has_contact_matches_the_two_patterns():
    for t in ("电话：010-12345678", "联系 13912345678", "邮箱 a.b@gov.cn", "２０２４年", "无", "a@b", "@@", *_texts(500)):
        assert signals.has_contact(t) == bool(signals.PHONE_RE.search(t) or signals.EMAIL_RE.search(t))


def test_caption_screen_misses_no_caption():
    lines = ["新华社记者 王一 摄", "（资料图片）", "图为会议现场", "图：会场", "图片来源：网络", "上图：展板",
             "会议指出，要加快推进数字政府建设。", "摄影展开幕", "", "本报讯"]
    for t in lines + _texts(500):
        s = t.strip()
        slow = len(s) <= 90 and any(r.search(s) for r in signals.data()["caption_res"])
        assert signals.is_caption.__wrapped__(t) == slow


PATTERNS = [r"(ab|cd)x", r"[xy]?z", r".{1,3}q", r"(?i:abc)", r"\s*k", r"(?!no)m+", r"(e)?(f)?g", r"$", r"\d+年"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_guarded_start_matches_where_the_pattern_does(pattern):
    """A pattern behind a look-ahead for its first characters matches exactly where it did;
    one whose first character cannot be told (any character, empty match, ignore case) is
    handed back to be tried as it is."""
    match, rest = markers._guarded([pattern])
    plain = re.compile("^(?:" + pattern + ")").match
    rnd = random.Random(7)
    alphabet = "abcdxyzqkmnoefgK年1２ \t"
    for _ in range(3000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))
        assert bool(match(s)) or rest == [pattern] if plain(s) else not match(s)
    if pattern in (r".{1,3}q", r"(?i:abc)", r"$"):
        assert rest == [pattern]


def test_marker_screen_agrees_with_every_marker():
    lines = ["当前位置：首页 > 新闻", "打印本页", "附件：实施方案.pdf", "网友对本文的评论：", "版权所有 © 某某网",
             "责任编辑：王一", "会议指出，要加快推进数字政府建设。", "1. 相关新闻", "", "扫一扫在手机打开当前页"]
    for s in lines + _texts(1000):
        assert markers._may_match(s) == any(m.pattern.search(s) for m in markers.load_markers())


def test_body_without_any_spam_marker_keeps_its_paragraphs_and_one_with_a_head_does_not():
    clean = ["会议指出，要加快推进数字政府建设。", "会议要求，各地要抓好落实，提升政务服务水平。"]
    assert spam.drop_injected(clean, "数字政府建设推进会") == (clean, 0)
    assert not any(spam._sets().marked(p) for p in clean)
    injected = clean + ["关于专家组：", "张三，男，汉族，1960年出生，著名书法家，某某有限公司董事长。"]
    kept, gone = spam.drop_injected(injected, "数字政府建设推进会")
    assert gone == 2 and kept == clean


def _best_container_by_order_table(blocks, root):
    """best_container's first pass as it was: hints walked a block, an explicit order table."""
    sums, order, hints = {}, {}, {}
    for b in blocks:
        s = b.score
        for el in b.chain:
            h = hints.get(el)
            if h is None:
                h = hints[el] = dom.dom_hint(el)
            if h < 0:
                s = -abs(s) * 0.3
                break
            if h > 0:
                s = s * 1.5 if s > 0 else s * 0.5
                break
        for el in b.chain:
            sums[el] = sums.get(el, 0.0) + s
            if el not in order:
                order[el] = len(order)
    return max(sums, key=lambda el: (sums[el], -order[el])), sums


@pytest.mark.parametrize("html", [
    # two containers that sum the same: the first in page order wins
    "<html><body><div id='a'><p>甲</p></div><div id='b'><p>乙</p></div></body></html>",
    # the nearest hint wins: a body class inside a furniture class, and the other way round
    "<html><body><div class='sidebar'><div class='content'><p>甲</p><p>乙</p></div></div>"
    "<div class='content'><div class='related'><p>丙</p></div><p>丁</p></div></body></html>",
])
def test_best_container_sums_and_ties_as_before(html):
    root = dom.parse(html)
    blocks = dom.linearize(root)
    rnd = random.Random(1)
    scores = [rnd.choice([40.0, -6.0, 12.5]) if "sidebar" in html else 10.0 for _ in blocks]
    for b, s in zip(blocks, scores):
        b.score = s
    want, _ = _best_container_by_order_table(blocks, root)
    for b, s in zip(blocks, scores):
        b.score = s
    assert dom.best_container(blocks, root) is want


def test_source_element_texts_from_the_walk_skip_what_was_stripped():
    html = ("<html><body><div class='source'>来源：甲报</div>"
            "<div style='display:none'><span class='source'>来源：乙报</span></div>"
            "<noscript><p id='source'>来源：丙报</p></noscript><p class='source'>来源：丁报</p></body></html>")
    root = dom.parse(html)
    tagged = dom.Tagged(root)
    dom.strip_furniture(root, tagged.styled)
    walked = source_element_texts(root)
    assert source_element_texts(root, tagged.named) == walked
    assert all("乙" not in t and "丙" not in t for t in walked)


def test_title_token_search_answers_as_the_case_insensitive_regex():
    from pipeline.clean.html import _title_tokens, title_words

    toks = title_words()["title_tokens"]
    anycase = re.compile("|".join(map(re.escape, toks)), re.IGNORECASE)
    _, quick = _title_tokens()
    rnd = random.Random(5)
    pieces = [*toks, *(t.upper() for t in toks), "x", "-", " ", "K", "ſ", "İ", "ı", "标题", "news_"]
    for _ in range(3000):
        s = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))
        assert bool(quick(s)) == bool(anycase.search(s)), s


def test_script_texts_read_once_give_the_same_dates():
    from pipeline.clean.html import meta_dates, script_dates, script_times

    html = ("<html><head><script>showDate('2020/04/17 01:43')</script>"
            "<script type='application/ld+json'>{\"datePublished\": \"2021-05-06\"}</script>"
            "<script>var publishDate = \"2019-09-07T00:31:40Z\";</script>"
            "<script>var x = 1;</script></head><body><p>正文</p></body></html>")
    root = dom.parse(html)
    tagged = dom.Tagged(root)
    for read in (script_dates, script_times, meta_dates):
        assert read(tagged) == read(root)
    assert script_dates(tagged) == ["2020-04-17T01:43:00+08:00"]
