"""The shards' CPU-bound work in worker processes, so that a run keeps every core busy.

The flow runs shards in threads, and threads share one core for Python code (the GIL): a
2-core run sat at about one core. Inside the flow, a pool of worker processes (one a core,
``DGN_PROCESSES`` to change it, 0 for none) takes each shard's pages; the shard task's thread
waits for its result. Workers are spawned, not forked (the flow's process runs Prefect's
threads), once a run; the results are the same wherever a shard runs.

A worker lives for the whole run, so what a task frees must not stay with it: after each
task the worker hands what the task freed back to the system (``give_back``): the tagger's
arena, which keeps its largest buffers otherwise, and glibc's free heap, where a page's
short-lived peaks (a large page's tree, a batch of the tagger's outputs) stay.
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")
log = logging.getLogger("dgn.run")
_pool: ProcessPoolExecutor | None = None


def default_processes() -> int:
    """``DGN_PROCESSES`` if set, else the number of cores."""
    env = os.environ.get("DGN_PROCESSES", "").strip()
    return max(0, int(env)) if env else (os.cpu_count() or 1)


@contextmanager
def worker_processes(n: int) -> Iterator[None]:
    """Within the block, ``call`` runs its function in one of ``n`` worker processes (n < 1:
    in the caller's thread)."""
    global _pool
    if n < 1:
        yield
        return
    from pipeline.gc_tuning import collect_less

    _pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                initializer=collect_less)
    try:
        yield
    finally:
        pool, _pool = _pool, None
        pool.shutdown(wait=True, cancel_futures=True)


def trim_heap() -> None:
    """Return the free pages of glibc's heap to the system (nothing elsewhere than glibc)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def give_back() -> None:
    """Return what a task freed to the system: the tagger's free arena, if the process loaded
    the tagger, and glibc's free heap."""
    tagger = sys.modules.get("pipeline.extract.tagger")
    if tagger is not None:
        tagger.shrink_arena()
    trim_heap()


def _task(fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` in a worker, with what it freed given back after it."""
    try:
        return fn(*args)
    finally:
        give_back()


def call(fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` in a worker process when a pool is open, else here. A worker that died
    (killed, out of memory) breaks the pool: the work is then done here instead."""
    pool = _pool
    if pool is None:
        return fn(*args)
    try:
        return pool.submit(_task, fn, *args).result()
    except BrokenProcessPool:
        log.warning("a worker process died; this shard runs in the flow's process instead")
        return fn(*args)
