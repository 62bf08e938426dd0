"""Clean stage: take the article out of a raw page (HTML or text dump) and nothing else."""
from __future__ import annotations

from datetime import datetime

from pipeline.gc_tuning import paused
from pipeline.record import Article


def clean_page(content: str, fmt: str, url: str | None = None,
               fetched_at: datetime | None = None) -> Article:
    """fmt is "html" or "text". The cyclic collector is paused for the page (gc_tuning.paused)."""
    if fmt == "html":
        from pipeline.clean.html import clean_html

        with paused():
            return clean_html(content, url, fetched_at)
    if fmt == "text":
        from pipeline.clean.text import clean_text

        with paused():
            return clean_text(content, url, fetched_at)
    raise ValueError(f"unknown format {fmt!r}; expected 'html' or 'text'")
