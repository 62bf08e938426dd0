"""Per-page bounds: what keeps the time and memory one page costs bounded.

Cleaning costs about 1.3 s and 40 MB of memory per MB of HTML (measured on 2-8 MB pages), so
a page's size bounds most of its cost. Its structure bounds the rest: libxml2 checks each
attribute of an element against the others (10k attributes on one element parse in 0.35 s,
20k in 3.2 s), so markup with more attributes on one element, or more elements, than the
limits is rejected before it is parsed (``too_complex``). No timer can stop work inside a
task thread, so the time limit is a budget the page's stages check as they go (between
stages and inside the cleaner's loops): a page over it is rejected (``too_slow``).
Defaults can be changed with environment variables (``DGN_MAX_PAGE_BYTES`` …) or with the
same keys (lower case, without ``DGN_``) in the flow's ``limits``. Nesting depth is bounded
by libxml2 itself (256 levels without its ``huge_tree`` option, which DGN never sets).
"""
from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, fields

MAX_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE; reported, not configurable


class PageRejected(Exception):
    """A page broke a limit: the stage that sees it rejects the page with ``reason``."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class PageLimits:
    max_page_bytes: int = 8_000_000  # a page (file, JSONL line or WARC record) larger is not read
    max_paragraph_chars: int = 50_000  # a cleaned paragraph longer is no article (one giant line)
    max_archive_bytes: int = 2_000_000_000  # decompressed bytes read from one .gz/WARC/JSONL file
    max_attributes: int = 1_000  # attributes on one element
    max_elements: int = 200_000  # tags in one page
    max_page_seconds: int = 30  # time one page may take through clean, normalize and extract

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def page_limits(overrides: dict | None = None) -> PageLimits:
    """Defaults, then ``DGN_<NAME>`` environment variables, then ``overrides`` (the flow's limits)."""
    values = {}
    for f in fields(PageLimits):
        env = os.environ.get(f"DGN_{f.name.upper()}")
        if env:
            values[f.name] = int(env)
        if overrides and overrides.get(f.name) is not None:
            values[f.name] = int(overrides[f.name])
    return PageLimits(**values)


LONG_TAG = 4_000  # characters: a start tag shorter than this cannot hold max_attributes
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{%d}[^<>]*>?" % LONG_TAG)


def check_structure(html: str, limits: PageLimits) -> None:
    """Reject markup whose shape would make parsing cost more than its size: too many tags,
    or an element with too many attributes. Scans in C (``str.count``, one regex that only
    stops on start tags longer than any ordinary one)."""
    tags = html.count("<")
    if tags > 2 * limits.max_elements:
        raise PageRejected("too_complex", f"about {tags // 2} elements > {limits.max_elements}")
    for m in _LONG_TAG.finditer(html):
        n = len(m.group(0).split()) - 1
        if n > limits.max_attributes:
            raise PageRejected("too_complex", f"an element with {n} attributes > {limits.max_attributes}")


_DEADLINE: ContextVar[tuple[float, int] | None] = ContextVar("dgn_page_deadline", default=None)


@contextmanager
def page_deadline(seconds: int):
    """A time budget for the page processed inside the block (per thread: a ContextVar)."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_deadline(where: str) -> None:
    """Raise ``too_slow`` once the current page's budget is spent; a no-op outside one."""
    budget = _DEADLINE.get()
    if budget is not None and time.monotonic() > budget[0]:
        raise PageRejected("too_slow", f"over {budget[1]} s, stopped in {where}")
