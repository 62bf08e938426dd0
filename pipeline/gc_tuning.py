"""Fewer passes of Python's cyclic garbage collector in the processes that clean pages.

Cleaning allocates many short-lived objects (blocks, lists, strings) that reference counting
frees; the collector's default threshold (700 allocations) still runs a pass every few
blocks and its full passes walk every module object loaded. Freezing what is loaded moves it
out of the collector's sight, and a higher threshold runs the passes a hundredth as often.
Cycles are still collected, so memory stays bounded.
"""
from __future__ import annotations

import gc

THRESHOLDS = (10_000, 50, 100)  # allocations before a young pass; young passes before the next generation's


def collect_less() -> None:
    """Freeze the objects alive now (imports, data tables) and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
