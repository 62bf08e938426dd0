"""The one record type that flows through every stage.

Like datatrove's ``Document``: an id, the text being worked on, and metadata; here the
fields each stage fills are typed so that a reader sees what a stage hands to the next.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Article:
    """What the clean stage takes out of a page: the article and nothing else.

    ``published_at`` is an ISO 8601 string: a datetime with +08:00 when the page gives a
    time, else a bare date (``2023-05-30``). ``published_at_source`` says where it was found.
    """

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    published_at: str | None = None
    published_at_source: str | None = None  # meta | header | text | url
    source_raw: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)  # boilerplate kind -> lines dropped
    url: str | None = None  # the page's own address: the input's, else <link rel=canonical> or og:url
    flags: list[str] = field(default_factory=list)  # quality flags the page itself shows (injected_spam)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Document:
    """One input page on its way to becoming an article, a duplicate or a rejected row."""

    id: str  # page_id: sha256 of the raw bytes
    path: str  # where it came from (file, or file#record for archives)
    format: str = "text"  # html | text
    content: str = ""  # the decoded page
    url: str | None = None
    fetched_at: datetime | None = None
    encoding: str | None = None
    article: Article | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # normalize/extract outputs
    flags: list[str] = field(default_factory=list)
    records: dict[str, list[dict]] = field(default_factory=dict)  # table -> rows
    rejected: str | None = None  # reason, once a filter drops it
    rejected_detail: str | None = None

    def reject(self, reason: str, detail: str | None = None) -> "Document":
        self.rejected, self.rejected_detail = reason, detail
        return self
