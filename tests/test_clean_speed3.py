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
