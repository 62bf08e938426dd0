"""Per-page bounds: what keeps the time and memory one page costs bounded.

Cleaning costs about 1.3 s and 40 MB of memory per MB of HTML (measured on 2-8 MB pages), so
a page's size bounds its cost; no timer can stop a page's work inside a task thread, so the
bounds are on the input. Defaults can be changed with environment variables
(``DGN_MAX_PAGE_BYTES``, ``DGN_MAX_PARAGRAPH_CHARS``, ``DGN_MAX_ARCHIVE_BYTES``) or with the
same keys (lower case, without ``DGN_``) in the flow's ``limits``. Nesting depth is bounded
by libxml2 itself (256 levels without its ``huge_tree`` option, which DGN never sets).
"""
from __future__ import annotations

import os
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
