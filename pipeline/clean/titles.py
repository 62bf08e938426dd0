"""Headline signals: the line above the byline in a dump; <h1>, og:title and <title> minus the
site name in HTML."""
from __future__ import annotations

import re

from pipeline.clean.markers import classify
from pipeline.clean.meta import is_byline
from pipeline.clean.signals import (
    URL_RE, cjk_ratio, is_caption, is_date_only, is_nav_run, punct_count, visible_len,
)

_SEP = re.compile(r"\s*(?:_|\||｜|--|—|–|-{1,2}|·|::)\s*")


def headline_like(s: str) -> bool:
    n = visible_len(s)
    return (5 <= n <= 80 and not URL_RE.match(s) and not is_date_only(s) and classify(s) is None
            and not is_caption(s) and not is_nav_run(s) and punct_count(s) <= max(2, n // 12)
            and cjk_ratio(s) > 0.3)


def title_from_lines(head: list[str]) -> str:
    """The headline among the lines above the body: the one right above the byline, else the
    nearest headline-like line."""
    for i in range(len(head) - 1, -1, -1):
        if is_byline(head[i]):
            j = i - 1
            while j >= 0 and (is_byline(head[j]) or URL_RE.match(head[j]) or visible_len(head[j]) < 5):
                j -= 1
            if j >= 0 and headline_like(head[j]):
                return head[j]
    for s in reversed(head):
        if headline_like(s) and not is_byline(s):
            return s
    return ""


def strip_site_name(title: str) -> str:
    """'标题_频道_网站' -> '标题': keep the longest segment."""
    parts = [p for p in _SEP.split(title.strip()) if p]
    if len(parts) <= 1:
        return title.strip()
    return max(parts, key=visible_len)


def pick_title(h1s: list[str], og: str | None, doc_title: str | None) -> str:
    """An <h1> the <title> or og:title vouches for; else og:title; else <title> minus site name."""
    ref = " ".join(x for x in (og, doc_title) if x)
    def key(s):
        return re.sub(r"\s+", "", s)
    for h in h1s:
        if 4 <= visible_len(h) <= 100 and key(h) and key(h)[:12] in key(ref):
            return h.strip()
    if og and visible_len(og) >= 4:
        return strip_site_name(og)
    if doc_title and visible_len(doc_title) >= 4:
        return strip_site_name(doc_title)
    for h in h1s:
        if 4 <= visible_len(h) <= 100:
            return h.strip()
    return ""


def drop_source_prefix(title: str, source: str | None) -> str:
    """'南方都市报 | 标题' -> '标题' when the segment names the page's own source."""
    if not source:
        return title
    parts = [p for p in _SEP.split(title) if p]
    if len(parts) > 1 and source in (parts[0], parts[-1]):
        parts = [p for p in parts if p != source]
        return " ".join(parts)
    return title
