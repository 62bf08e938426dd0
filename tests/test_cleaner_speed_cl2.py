"""The faster paths of issue 16 (second round) answer as the slow ones did."""
from __future__ import annotations

import gc

from pipeline.gc_tuning import THRESHOLDS, collect_less
from pipeline.ingest import decode


def _share_by_loop(text: str) -> float:
    cjk = decode._CJK.findall(text[:20000])
    return sum(1 for c in cjk if c in decode._COMMON) / len(cjk) if cjk else 0.0


def test_common_share_counts_as_the_character_loop():
    for text in ("数字政府建设的工作会议在北京召开", "鏁板瓧鏀垮簻寤鸿", "abc", "", "的" * 30000 + "鏁" * 5):
        assert decode.common_share(text) == _share_by_loop(text)


def test_collect_less_raises_the_thresholds_and_keeps_collecting():
    before = gc.get_threshold()
    try:
        collect_less()
        assert gc.get_threshold() == THRESHOLDS
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
