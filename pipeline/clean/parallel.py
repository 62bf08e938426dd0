"""`dgn extract` over many files on every core: files read, decoded and cleaned in worker
processes and in the caller, a chunk of files a task, the lines given back in the input order.

A page costs the cleaner about ten milliseconds of Python, and one process uses one core.
With N processes the caller is one of them and N - 1 workers are spawned (no forked copy of
the caller's threads or locks); each worker reads its files itself, so only paths go out and
JSON lines come back. Starting a process (imports, data files, first calls) costs about as
much as cleaning twenty-five pages: fewer than SMALL files are cleaned in the caller alone,
a process needs FILES_A_PROCESS files, and the caller cleans the chunks the workers are not
given, so no core waits while a worker starts and one start fewer is paid. Chunks shrink
towards the end of the input, so that the processes finish together. A worker that dies
breaks the pool: the files not yet printed are then cleaned in the caller.
"""
from __future__ import annotations

import json
import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger("dgn.extract")

SMALL = 64  # fewer files than this are cleaned in the caller alone: a process starts in about 0.3 s of CPU
FILES_A_PROCESS = 32  # no more processes than there are this many files for
CHUNKS_A_PROCESS = 4  # a chunk is at most this share of what is left for each process
MAX_CHUNK = 32  # files a task at most
QUEUED = 1  # chunks a worker has waiting beyond the one it is on
AHEAD = 32  # chunks done or under way beyond the oldest unprinted one, at most (bounds memory)


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


def chunks(paths: list[str], processes: int) -> list[list[str]]:
    """The files in order, in chunks of at most MAX_CHUNK that shrink as the input runs out
    (a chunk is 1/CHUNKS_A_PROCESS of what is left for each process, at least one file): a
    task's round trip stays a small share of its time, and the last tasks are short."""
    out, i, n = [], 0, len(paths)
    while i < n:
        size = max(1, min(MAX_CHUNK, (n - i) // (processes * CHUNKS_A_PROCESS)))
        out.append(paths[i:i + size])
        i += size
    return out


def uses_workers(files: int, processes: int) -> bool:
    """Worker processes pay for themselves on more than a few files and with at least two."""
    return processes > 1 and files >= SMALL


def extract_lines(paths: Iterable[str], processes: int,
                  progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The JSON line of every file, in the order of ``paths``; ``processes`` < 2 or a few files:
    in this process. ``progress(n)`` is called after every n files done."""
    paths = list(paths)
    processes = min(processes, len(paths) // FILES_A_PROCESS)
    if not uses_workers(len(paths), processes):
        _start_worker()
        for p in paths:
            yield line_for(p)
            if progress:
                progress(1)
        return
    try:
        pool = ProcessPoolExecutor(max_workers=processes - 1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker)
    except (OSError, NotImplementedError) as e:  # no semaphores or no processes allowed here
        log.warning("no worker processes (%s); the files are cleaned in this process", e)
        yield from extract_lines(paths, 0, progress)
        return
    yield from _pooled(pool, paths, processes, progress)


def _pooled(pool: ProcessPoolExecutor, paths: list[str], processes: int,
            progress: Callable[[int], None] | None) -> Iterator[str]:
    """The workers get chunks in order while fewer than QUEUED + 1 each are unfinished; the
    caller cleans the next chunk whenever the oldest unprinted one is not done yet."""
    todo = deque(chunks(paths, processes))
    window: deque = deque()  # (files, Future) in input order; the caller's own are done at once
    workers = processes - 1
    started = False
    try:
        while todo or window:
            try:
                busy = sum(1 for _, f in window if not f.done())
                while todo and busy < workers * (1 + QUEUED):
                    window.append((todo[0], pool.submit(lines_for, todo[0])))
                    todo.popleft()
                    busy += 1
                if todo and not window[0][1].done() and len(window) < AHEAD:
                    if not started:
                        _start_worker()
                        started = True
                    part = todo.popleft()
                    done: Future = Future()
                    done.set_result(lines_for(part))
                    window.append((part, done))
                    continue
                part, fut = window[0]
                lines = fut.result()
            except (BrokenProcessPool, OSError) as e:
                log.warning("a worker process died or did not start (%s); the remaining files are cleaned "
                            "in this process", e)
                rest = [p for part, _ in window for p in part] + [p for part in todo for p in part]
                yield from extract_lines(rest, 0, progress)
                return
            window.popleft()
            yield from lines
            if progress:
                progress(len(part))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
