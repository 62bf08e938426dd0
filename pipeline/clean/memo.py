"""Answers about one line of text, kept for the lines that come again.

The cleaner asks the same questions of a line several times (scoring, teaser runs, data
tables, sorting the body, the date and source readers), and a site's pages share their menus,
footers and bylines. The answers are pure functions of the line, so each is worked out once
and kept in a bounded cache (least recently used lines go first).
"""
from __future__ import annotations

from functools import lru_cache

LINES = 4096  # lines kept a function: a page's lines and its site's recurring ones

_cached: list = []


def per_line(fn):
    """``fn`` with its answers kept for the LINES most recent arguments."""
    c = lru_cache(maxsize=LINES)(fn)
    _cached.append(c)
    return c


def clear() -> None:
    """Forget every kept answer (a benchmark that runs the same pages again clears them)."""
    for c in _cached:
        c.cache_clear()
