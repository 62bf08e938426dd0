"""Fewer passes of Python's cyclic garbage collector in the processes that clean pages.

Cleaning allocates many short-lived objects (blocks, lists, strings) that reference counting
frees; the collector's default threshold (700 allocations) still runs a pass every few
blocks and its full passes walk every module object loaded. Freezing what is loaded moves it
out of the collector's sight, and a higher threshold runs the passes a hundredth as often.
Cycles are still collected, so memory stays bounded.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

THRESHOLDS = (10_000, 50, 100)  # allocations before a young pass; young passes before the next generation's


def collect_less() -> None:
    """Freeze the objects alive now (imports, data tables) and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


_pause_lock = threading.Lock()
_pausing = 0  # callers inside paused() now, over all threads
_resume = False  # whether the collector was on when the first of them entered


@contextmanager
def paused():
    """No cyclic collection while the block runs, the caller's setting back after it.

    A page's cleaning makes thousands of objects that live until the page is done and are
    freed by reference counting; a collector pass in between finds nothing to free but walks
    every object the process holds (an in-process caller's imports too: 5% of a page in the
    benchmark beside trafilatura). Cycles left over are collected at the next pass after.
    Nested and concurrent callers (threads) share one pause: the last to leave restores."""
    global _pausing, _resume
    with _pause_lock:
        if _pausing == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pausing -= 1
            if _pausing == 0 and _resume:
                gc.enable()
