"""Text dumps (visible text, one block a line, no markup) -> Article.

With no tags to go by, each line is scored from the text alone (length, punctuation, markers,
headline runs); the body is the best-scoring run of lines; the headline and byline are read
from the lines just above it.
"""
from __future__ import annotations

from datetime import datetime

from pipeline.clean.assemble import Block, best_run, drop_spam, finish, score_blocks
from pipeline.clean.dating import date_signals, pick_date
from pipeline.clean.markers import squeeze
from pipeline.clean.memo import per_line
from pipeline.clean.meta import byline_sources, is_byline, join_bare_labels, outlet_under_headline, parse_byline
from pipeline.clean.signals import is_date_only
from pipeline.clean.pubdate import lead_dates
from pipeline.clean.titles import drop_source_prefix, title_from_lines
from pipeline.record import Article

HEAD_WINDOW = 15
TAIL_WINDOW = 6
SOURCE_TAIL = 12


def byline_authors(lines: list[str]) -> list[str]:
    """The authors the byline-like lines name: those of the last line that names any (the
    one nearest the body). Dates and sources have their own readers (dating, meta)."""
    for s in reversed(lines):
        if is_byline(s):
            authors = parse_byline(s).authors
            if authors:
                return authors
    return []


@per_line
def names_people(line: str) -> bool:
    """A short byline that names an author or editor (作者：…, 责任编辑：…)."""
    if len(line) > 90:
        return False
    b = parse_byline(line)
    return bool(b.authors or b.editors)


LEAD_WINDOW = 15  # lines from a byline to the article's first paragraph
LEAD_BONUS = 15.0


def _lead_bonus(blocks: list[Block]) -> None:
    """The first prose line below the dump's first byline (a date, 来源) opens the article:
    a dump has no markup to tell it from teasers above the headline that score as well."""
    for i, b in enumerate(blocks):
        if not (is_byline(b.text) or is_date_only(b.text)):
            continue
        for nxt in blocks[i + 1:i + 1 + LEAD_WINDOW]:
            if nxt.score > 0:
                nxt.score += LEAD_BONUS
                return


def clean_text(content: str, url: str | None = None, fetched_at: datetime | None = None) -> Article:
    lines = [s for s in (squeeze(x) for x in content.splitlines()) if s]
    blocks = [Block(s) for s in lines]
    score_blocks(blocks)
    _lead_bonus(blocks)
    start, end = best_run([b.score for b in blocks])
    parts = finish(blocks[start:end])
    parts.removed["outside_body"] = len(blocks) - (end - start)
    head = lines[max(0, start - HEAD_WINDOW):start]
    title = title_from_lines(head)
    if title:
        head = head[head.index(title):]
    h_authors = byline_authors(head)
    tail = [s for s in lines[end:end + TAIL_WINDOW] if is_byline(s) and names_people(s)]
    parts.meta_lines.extend(tail)
    m_authors = byline_authors(parts.meta_lines)
    editors = [e for s in parts.meta_lines for e in parse_byline(s).editors]
    region = lines[:end + TAIL_WINDOW]
    sig = date_signals(region, region, head[::-1] + parts.meta_lines, [], head[-3:])
    sig.text = lead_dates(parts.paragraphs)
    published_at, how = pick_date(sig, url, fetched_at)
    h_lab, h_out = byline_sources(join_bare_labels(head)[::-1])
    m_lab, m_out = byline_sources(join_bare_labels(parts.meta_lines))
    source = (h_lab or m_lab or h_out or m_out or outlet_under_headline(head, title)
              or byline_sources(join_bare_labels(lines[end:end + SOURCE_TAIL]))[0])
    title = drop_source_prefix(title, source)
    flags = drop_spam(parts, title)
    return Article(
        title=title,
        paragraphs=parts.paragraphs,
        published_at=published_at,
        published_at_source=how,
        source_raw=source,
        authors=h_authors or m_authors,
        editors=editors,
        captions=parts.captions,
        meta_lines=[s for s in head if is_byline(s)] + parts.meta_lines,
        removed=parts.removed,
        url=url,
        flags=flags,
    )
