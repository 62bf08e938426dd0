"""The fifth round of the cleaner's speed (issue 16): each faster path answers as the slower
one it replaced, on small pages and block lists written for the edge it could get wrong."""
from __future__ import annotations

import random

import pytest

from pipeline.clean import assemble, dom, memo
from pipeline.clean.assemble import Block
from pipeline.clean.html import title_signals
from pipeline.clean.markers import classify
from pipeline.clean.meta import is_byline
from pipeline.clean.signals import is_date_only, line_score, visible_len
from pipeline.clean.titles import headline_like

PAGE = """<html class="content"><body id="main" class="article"><form class="nav"><div>
<div class="sidebar"><h2 class="title">相关新闻标题一则</h2><ul><li><a href="/1">链接一</a></li></ul></div>
<div class="article-content"><h1>数字政府建设推进会召开</h1><p>会议指出，要加快推进政务服务一网通办。</p>
<table><tr><td><p>单元格里的文字，共计十二个字。</p></td><td>表格第二格</td></tr></table>
<p class="footer" style="display:none">隐藏的页脚</p><span id="x"><b>没有类名的元素</b></span></div>
<h3>不带类名的小标题行</h3><div class="comment-list">评论区的一行字</div><div id="footer">页脚的一行字</div>
</div></form></body></html>"""


def _old_score_blocks(blocks: list[Block]) -> list[float]:
    """score_blocks' loop before this round (one call a block, every answer asked)."""
    n = len(blocks)
    dated = [is_date_only(b.text) for b in blocks]
    byline = [is_byline(b.text) for b in blocks]
    prose_above = False
    out = []
    for i, b in enumerate(blocks):
        s = line_score(b.text, b.link_ratio)
        m = classify(b.text)
        ends = prose_above and b.text.rstrip().endswith(assemble._SENTENCE_END)
        prose_above = prose_above or s >= assemble.PROSE_LINE
        if byline[i] or (i + 1 < n and byline[i + 1] and not ends and headline_like(b.text)):
            s = min(s, 0.0) - 6.0
        elif m is not None:
            s = min(s, 0.0) + assemble._MARKER_PENALTY[m.action]
        elif (visible_len(b.text) < 70 and not ends
              and (i + 1 < n and dated[i + 1] or i + 2 < n and dated[i + 2])):
            s = min(s, 0.0) - 6.0
        out.append(s)
    return out


LINES = ["数字政府建设推进会召开", "2024-05-30", "来源：新华社", "会议指出，要加快推进政务服务一网通办，提升群众办事体验。" * 2,
         "责任编辑：张三", "首页 新闻 政务 服务 互动", "", "   ", "各地各部门认真落实。", "2024年5月30日 10:00",
         "作者：李四 2024-05-30", "点击查看更多", "关于我们", "版权所有 数字政府网", "一个短的标题行"]


@pytest.mark.parametrize("seed", range(12))
def test_score_blocks_scores_as_the_loop_it_replaced(seed):
    rnd = random.Random(seed)
    texts = [rnd.choice(LINES) for _ in range(rnd.randint(0, 30))]
    ratios = [rnd.choice([0.0, 0.0, 0.3, 0.6, 1.0]) for _ in texts]
    memo.clear()
    want = _old_score_blocks([Block(t, r) for t, r in zip(texts, ratios)])
    blocks = [Block(t, r) for t, r in zip(texts, ratios)]
    assemble.score_blocks(blocks)
    got = [b.score for b in blocks]
    # the walls and teaser runs come after; compare before them
    blocks2 = [Block(t, r) for t, r in zip(texts, ratios)]
    for b, s in zip(blocks2, want):
        b.score = s
    assemble._link_walls(blocks2)
    assemble._teaser_runs(blocks2)
    assert got == [b.score for b in blocks2]


def _old_link_walls(blocks: list[Block]) -> None:
    i, n = 0, len(blocks)
    while i < n:
        j = i
        while j < n and blocks[j].link_ratio >= 0.5:
            j += 1
        if j - i >= assemble.LINK_WALL:
            for b in blocks[i:j]:
                b.score = min(b.score, assemble.WALL_SCORE)
        i = max(j, i + 1)


@pytest.mark.parametrize("links", ["", "1111", "0111101111", "111", "01111", "11110", "1" * 9, "1010101"])
def test_link_walls_mark_the_runs_the_old_scan_marked(links):
    def blocks():
        return [Block("x", 1.0 if c == "1" else 0.0, score=10.0) for c in links]
    old, new = blocks(), blocks()
    _old_link_walls(old)
    assemble._link_walls(new)
    assert [b.score for b in new] == [b.score for b in old]
    if "1111" in links:
        assert assemble.WALL_SCORE in [b.score for b in new]


def test_tagged_hint_answers_as_dom_hint_for_every_element():
    root = dom.parse(PAGE)
    tagged = dom.Tagged(root)
    els = list(root.iter())
    assert any(dom.dom_hint(e) < 0 for e in els) and any(dom.dom_hint(e) > 0 for e in els)
    assert [dom.dom_hint(e) for e in els if e.get("id") == "footer"] == [-1]  # named by its id alone
    for el in els:
        assert tagged.hint(el) == dom.dom_hint(el), el.tag


def test_strip_and_best_container_by_tagged_hint_as_by_dom_hint():
    def run(use_tagged: bool):
        root = dom.parse(PAGE)
        tagged = dom.Tagged(root)
        dom.strip_furniture(root, tagged.styled, tagged.hint if use_tagged else None)
        blocks = dom.linearize(root)
        for b in blocks:
            b.score = 20.0 if "，" in b.text else -3.0
        c = dom.best_container(blocks, root, tagged.hint if use_tagged else None)
        return [b.text for b in blocks], [b.score for b in blocks], c.tag, c.get("class")

    old, new = run(False), run(True)
    assert new == old
    assert "隐藏的页脚" not in old[0]


def test_title_signals_headings_from_the_walks_heading_set():
    root = dom.parse(PAGE)
    got = title_signals(dom.Tagged(root)).headings
    # the headings (with a class or without), not the sidebar's titled h2 (furniture)
    assert got == ["数字政府建设推进会召开", "不带类名的小标题行"]


def test_linearize_blocks_carry_element_place_and_chain():
    root = dom.parse(PAGE)
    blocks = {b.text: b for b in dom.linearize(root)}
    cell = blocks["单元格里的文字，共计十二个字。"]
    assert cell.elem.tag == "p" and cell.chain[0] is cell.elem and cell.chain[-1] is root
    assert [e.tag for e in cell.place] == ["td", "tr", "table"]
    assert cell.chain[1] is cell.place[0]
    h1 = blocks["数字政府建设推进会召开"]
    assert h1.heading and h1.place is None and h1.score == 0.0 and not h1.table_row
    assert blocks["表格第二格"].elem.tag == "td"
