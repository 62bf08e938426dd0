"""The third round of the cleaner's speed (issue 16): the faster paths answer as before."""
from __future__ import annotations

import gc

import pytest

from pipeline.clean import clean_page
from pipeline.gc_tuning import paused

PAGE = "<html><body><h1>数字政府建设推进会召开</h1><p>会议指出，要加快推进数字政府建设，提升政务服务水平。</p></body></html>"


@pytest.mark.parametrize("enabled", [True, False])
def test_clean_page_gives_back_the_callers_collector_setting(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        clean_page(PAGE, "html")
        clean_page("数字政府建设推进会召开。", "text")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_paused_is_off_inside_and_restores_after_nesting_and_errors():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with paused():
            raise ValueError
    assert gc.isenabled()


def test_date_readers_skip_digitless_lines_but_not_a_bare_label_joined_to_its_value():
    from pipeline.clean.dating import date_signals

    region = ["数字政府建设推进会", "发布日期：", "2024年5月30日", "会议指出，要加快推进建设。"]
    sig = date_signals(region, region + ["发布时间：2023-01-02"], ["来源：新华社 2024-05-29"], [], [])
    assert sig.published == ["2024-05-30"]
    assert sig.byline == ["2024-05-29"]
    assert sig.anywhere == ["2024-05-30"]


def _place_by_scan(chain: list):
    """The (cell, row, table) of a block, scanning its open block elements innermost first."""
    from pipeline.clean.dom import BLOCK_TAGS

    cell = row = None
    for el in (e for e in chain if e.tag in BLOCK_TAGS):
        if el.tag in ("td", "th"):
            cell = cell if cell is not None else el
        elif el.tag == "tr":
            if cell is None:
                return None
            row = row if row is not None else el
        elif el.tag == "table":
            return (cell, row, el) if row is not None else None
    return None


def test_linearize_carries_table_places_and_chains_down_the_walk():
    from pipeline.clean.dom import linearize, parse, strip_furniture

    root = parse("<html><body><table><tr><td>甲<div>乙</div><table><tr><th>丙</th></tr><td>丁</td></table>戊</td>"
                 "<td><span>己<br/>庚</span></td></tr><td>辛</td></table><div>壬<!-- 注释 -->癸</div>"
                 "<table><tr><td><table><td>子</td></table>丑</td></tr></table></body></html>")
    strip_furniture(root)
    blocks = linearize(root)
    assert [b.text for b in blocks] == ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬癸", "子", "丑"]
    for b in blocks:
        assert b.chain == [b.elem, *b.elem.iterancestors()]
        assert b.place == _place_by_scan(b.chain), b.text
    assert [b.text for b in blocks if b.place is None] == ["丁", "辛", "壬癸", "子"]


def test_headline_candidates_under_furniture_are_left_out_each_time():
    from pipeline.clean.dom import Tagged, parse
    from pipeline.clean.html import title_signals

    root = parse("<html><body><div class='footer'><div><h2>网站导航栏目一览表</h2></div><h3>友情链接网站</h3></div>"
                 "<div class='main'><div><h1>数字政府建设推进会召开</h1></div><h2>会议部署下一步工作</h2></div>"
                 "<div class='footer'><h2>联系我们的方式</h2></div></body></html>")
    assert title_signals(Tagged(root)).headings == ["数字政府建设推进会召开", "会议部署下一步工作"]
