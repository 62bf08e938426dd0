"""`dgn extract` over many files on every core: files read, decoded and cleaned in worker
processes, a chunk of files a task, the lines given back in the input order.

A page costs the cleaner about ten milliseconds of Python, and one process uses one core.
Workers are spawned (no forked copy of the caller's threads or locks) and each reads its
files itself, so only paths go out and JSON lines come back. Starting a worker (imports, data
files, first calls) costs about as much as cleaning twenty-five pages, so fewer than SMALL
files are cleaned in the caller's process. A worker that dies breaks the pool: the files not
yet printed are then cleaned in the caller.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger("dgn.extract")

SMALL = 64  # fewer files than this are cleaned in the caller's process: a worker starts in about 0.3 s of CPU
CHUNKS_A_WORKER = 24  # chunks a worker gets over a run: enough that the last one ends soon
MAX_CHUNK = 32  # files a task at most
AHEAD = 4  # chunks queued a worker beyond the one it is on


def line_for(path: str) -> str:
    """The JSON line `dgn extract` prints for one file."""
    from pipeline.clean.page import extract_path

    return json.dumps(extract_path(path), ensure_ascii=False)


def lines_for(paths: list[str]) -> list[str]:
    """One task: the lines of a chunk of files, in order."""
    return [line_for(p) for p in paths]


def _start_worker() -> None:
    import pipeline.clean.html  # noqa: F401  (loaded before the freeze)
    import pipeline.clean.text  # noqa: F401
    from pipeline.gc_tuning import collect_less

    collect_less()


def chunk_size(files: int, processes: int) -> int:
    """Files a task: small enough that the workers end together, large enough that a task's
    round trip is a small share of its time."""
    return max(1, min(MAX_CHUNK, files // (processes * CHUNKS_A_WORKER)))


def chunks(paths: list[str], size: int) -> list[list[str]]:
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def uses_workers(files: int, processes: int) -> bool:
    """Worker processes pay for themselves on more than a few files and with at least two."""
    return processes > 1 and files >= SMALL


def extract_lines(paths: Iterable[str], processes: int,
                  progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The JSON line of every file, in the order of ``paths``; ``processes`` < 2 or a few files:
    in this process. ``progress(n)`` is called after every n files done."""
    paths = list(paths)
    if not uses_workers(len(paths), processes):
        _start_worker()
        for p in paths:
            yield line_for(p)
            if progress:
                progress(1)
        return
    try:
        pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker)
    except (OSError, NotImplementedError) as e:  # no semaphores or no processes allowed here
        log.warning("no worker processes (%s); the files are cleaned in this process", e)
        yield from extract_lines(paths, 0, progress)
        return
    yield from _pooled(pool, paths, processes, progress)


def _pooled(pool: ProcessPoolExecutor, paths: list[str], processes: int,
            progress: Callable[[int], None] | None) -> Iterator[str]:
    todo = deque(chunks(paths, chunk_size(len(paths), processes)))
    running: deque = deque()
    try:
        while todo or running:
            try:
                while todo and len(running) < processes * (1 + AHEAD):
                    running.append((todo[0], pool.submit(lines_for, todo[0])))
                    todo.popleft()
                part, fut = running[0]
                lines = fut.result()
            except (BrokenProcessPool, OSError) as e:
                log.warning("a worker process died or did not start (%s); the remaining files are cleaned "
                            "in this process", e)
                rest = [p for part, _ in running for p in part] + [p for part in todo for p in part]
                yield from extract_lines(rest, 0, progress)
                return
            running.popleft()
            yield from lines
            if progress:
                progress(len(part))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
