"""The cleaner's fast paths answer as the slow ones did: the marker screen, the ancestor
chains linearize records, the Tagged walk, the per-line memo."""
import re
import re._parser as sre_parse

from lxml import etree

from pipeline.clean import memo
from pipeline.clean.dom import Tagged, linearize, parse, strip_furniture
from pipeline.clean.markers import _by_kind, _LEAD, classify, required_strings, squeeze


def _slow_classify(line):
    s = _LEAD.sub("", squeeze(line))
    for group in _by_kind():
        for m in group:
            if m.matches(s):
                return m
    return None


def test_required_strings_of_a_pattern():
    assert required_strings(sre_parse.parse("(开设|開設).{0,12}专页")) == ["开设", "開設"]
    assert required_strings(sre_parse.parse("(并)?不代表本(网|站)")) == ["不代表本"]
    assert sorted(required_strings(sre_parse.parse("甲乙.{0,3}\\d|\\d丙丁戊"))) == ["丙丁戊", "甲乙"]
    assert required_strings(sre_parse.parse("\\d+\\s*")) is None


def test_every_match_holds_a_required_string():
    pats = ["(违法|不良)信息举报(电话|邮箱)", "版权(所有|归)", "[【\\[]\\s*(打印|关闭)\\s*[】\\]]",
            "分辨率.{0,20}\\d{3,4}|\\d{3,4}.{0,10}分辨率"]
    lines = ["不良信息举报电话 12377", "本站版权归作者", "【 打印 】", "1024 建议分辨率", "无关的一句话"]
    for p in pats:
        req = required_strings(sre_parse.parse(p))
        for line in lines:
            if re.search(p, line):
                assert any(w in line for w in req), (p, line)


def test_classify_agrees_with_trying_kind_by_kind():
    lines = ["当前位置：首页 > 新闻", "【字体：大 中 小】", "相关新闻", "版权所有 © 2024 某某网",
             "责任编辑：张三", "这是一段普通的正文，说明了会议的内容和安排。", "网站地图 | 联系我们",
             "附件下载：通知.pdf", "(编辑 李四)", "Copyright 2020 Example", "扫一扫在手机打开当前页",
             "本文不代表本站观点", "联系电话：010-12345678", "正文完"]
    memo.clear()
    for line in lines:
        assert classify(line) == _slow_classify(line), line


def test_chain_is_the_element_and_its_ancestors():
    root = parse("<html><body><div class='a'><p>第一段<span>文字<br/>换行</span></p>"
                 "<table><tr><td>甲</td><td>乙</td></tr></table></div><p>尾</p></body></html>")
    strip_furniture(root)
    blocks = linearize(root)
    assert [b.text for b in blocks] == ["第一段文字", "换行", "甲", "乙", "尾"]
    for b in blocks:
        assert b.chain == [b.elem, *b.elem.iterancestors()]


def test_tagged_walk_keeps_document_order():
    root = parse("<html><head><title>题</title><meta name='a' content='1'></head><body>"
                 "<abbr title='2020-01-01'>x</abbr><time>y</time><h2>标题</h2>"
                 "<div class='c' style='display:none'>z</div><script>s</script></body></html>")
    t = Tagged(root)
    assert [e.tag for e in t.iter("abbr", "time")] == ["abbr", "time"]
    assert [e.tag for e in t.iter("meta")] == ["meta"]
    assert [e.tag for e, _, _ in t.named] == ["h2", "div"]
    assert [e.get("class") for e in t.styled] == ["c"]
    assert [e.tag for e in t.iter(etree.Element)][:2] == ["html", "head"]
