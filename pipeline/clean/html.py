"""HTML -> Article.

The body is the DOM element whose text blocks score highest as prose (length, punctuation,
link density, class/id hints), trimmed to its best run of blocks; headline from <h1> checked
against og:title/<title>; date from a signed document date (成文日期), meta tags and JSON-LD,
the byline above the body, a labelled date anywhere, a date an inline script prints, the URL.
"""
from __future__ import annotations

import re
from datetime import datetime

from pipeline.clean.assemble import best_run, drop_spam, finish, score_blocks
from pipeline.clean.dating import choose_date
from pipeline.clean.dom import HBlock, best_container, first_item, linearize, parse, strip_furniture
from pipeline.clean.tables import join_rows, mark_data_tables
from pipeline.clean.meta import is_byline, parse_byline
from pipeline.clean.pubdate import document_dates, labelled_dates, lead_dates, parse_date
from pipeline.clean.text import header_facts, names_people
from pipeline.clean.signals import is_date_only
from pipeline.clean.titles import drop_source_prefix, pick_title
from pipeline.record import Article

HEAD_WINDOW = 40
TAIL_WINDOW = 6
_PUB_KEY = re.compile(
    r"(publish|pubdate|pub_date|pubtime|release_?date|create|issued|^date$|dc\.date|ptime|"
    r"posttime|post_date|firstpub|datepublished|sailthru\.date|publicationdate|^time$|og:time)", re.I)
_NOT_PUB = re.compile(r"(modif|updat|expir|revis|last)", re.I)
_LD_DATE = re.compile(r'"(?:datePublished|dateCreated|uploadDate|pubDate)"\s*:\s*"([^"]+)"')


def meta_dates(root) -> list[str]:
    """Publication dates declared in <meta> tags and JSON-LD, in page order."""
    out = []
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").strip()
        val = el.get("content")
        if key and val and _PUB_KEY.search(key) and not _NOT_PUB.search(key):
            iso = parse_date(val)
            if iso:
                out.append(iso)
    for el in root.iter("time"):
        if el.get("pubdate") is not None or "publish" in (el.get("itemprop") or "").lower():
            iso = parse_date(el.get("datetime") or el.text_content() or "")
            if iso:
                out.append(iso)
    for el in root.xpath('//script[@type="application/ld+json"]'):
        for m in _LD_DATE.finditer(el.text or ""):
            iso = parse_date(m.group(1))
            if iso:
                out.append(iso)
    return out


_SCRIPT_DATE = re.compile(r"""(?i)\w*(?:date|time)\w*\s*\(\s*["']([^"']{8,40})["']""")


def script_dates(root) -> list[str]:
    """Dates a small inline script prints where the byline stands (showDate("2020/04/17 01:43"))."""
    out = []
    for el in root.iter("script"):
        text = el.text or ""
        if el.get("src") or len(text) > 300:
            continue
        for m in _SCRIPT_DATE.finditer(text):
            iso = parse_date(m.group(1))
            if iso:
                out.append(iso)
    return out


def title_signals(root) -> tuple[list[str], str | None, str | None]:
    h1s = [" ".join(h.text_content().split()) for h in root.iter("h1")]
    og = None
    for el in root.iter("meta"):
        if (el.get("property") or el.get("name") or "").lower() in ("og:title", "twitter:title"):
            og = (el.get("content") or "").strip() or None
            break
    t = root.find(".//title")
    doc_title = " ".join(t.text_content().split()) if t is not None else None
    return h1s, og, doc_title


def clean_html(content: str, url: str | None = None, fetched_at: datetime | None = None) -> Article:
    root = parse(content)
    m_dates = meta_dates(root)
    s_dates = script_dates(root)[:1]
    h1s, og, doc_title = title_signals(root)
    strip_furniture(root)
    blocks = linearize(root)
    score_blocks(blocks)
    rows_of, doc_meta = mark_data_tables(blocks)
    container = best_container(blocks, root)
    idx = [i for i, b in enumerate(blocks) if b.elem is container or container in b.elem.iterancestors()]
    inner = [blocks[i] for i in idx]
    start, end = best_run([b.score for b in inner]) if inner else (0, 0)
    body = first_item(inner[start:end])
    end = start + len(body)
    title = pick_title(h1s, og, doc_title)
    first = idx[start] if body else _below_title(blocks, title)
    kept = [(k, b) for k, b in enumerate(body, first) if k not in doc_meta]
    parts = finish(join_rows(kept, rows_of, _row_block))
    after = idx[end - 1] + 1 if body else 0
    parts.meta_lines.extend(b.text for b in blocks[after:after + TAIL_WINDOW] if names_people(b.text))
    if parts.paragraphs and title and _repeats_title(parts.paragraphs[0], title):
        parts.paragraphs.pop(0)
    flags = drop_spam(parts, title)
    head = [b.text for b in blocks[max(0, first - HEAD_WINDOW):first]]
    h_dates, h_source, h_authors = header_facts(head)
    b_dates, b_source, b_authors = header_facts(parts.meta_lines[::-1])
    short = label_lines([b.text for b in blocks])
    labelled = [d for t in short for d in labelled_dates(t)][:1]
    signed = [d for t in short for d in document_dates(t)][:1]
    # a signed document date (成文日期) dates the document itself; the meta date only its post
    cands = ([("header", d) for d in signed] + [("meta", d) for d in m_dates]
             + [("header", d) for d in b_dates + h_dates + labelled + s_dates]
             + [("text", d) for d in lead_dates(parts.paragraphs)])
    published_at, how = choose_date(cands, url, fetched_at)
    source = b_source or h_source
    parts.removed["outside_body"] = len(blocks) - len(body)
    return Article(
        title=drop_source_prefix(title, source),
        paragraphs=parts.paragraphs,
        published_at=published_at,
        published_at_source=how,
        source_raw=source,
        authors=b_authors or h_authors,
        editors=[e for s in parts.meta_lines for e in parse_byline(s).editors],
        captions=parts.captions,
        meta_lines=[s for s in head if is_byline(s)][-5:] + parts.meta_lines,
        removed=parts.removed,
        flags=flags,
    )


BYLINE_BELOW = 6


def _below_title(blocks: list[HBlock], title: str | None) -> int:
    """Where an empty body (an article that is one image) would begin: a few blocks below the
    headline, so that the byline under it is still read; 0 without a headline."""
    for i, b in enumerate(blocks):
        if title and title in b.text and len(b.text) <= len(title) + 20:
            return min(len(blocks), i + BYLINE_BELOW)
    return 0


def _row_block(text: str, cells: list) -> HBlock:
    n = sum(len(c.text) for c in cells) or 1
    links = sum(c.link_ratio * len(c.text) for c in cells) / n
    return HBlock(text, links, False, sum(c.score for c in cells), cells[0].elem)


def label_lines(texts: list[str]) -> list[str]:
    """Short lines, a bare label ('发布日期：') joined to the value in the next cell."""
    out = []
    for i, t in enumerate(texts):
        if len(t) >= 200:
            continue
        if t.endswith((":", "：")) and len(t) <= 12 and i + 1 < len(texts):
            t = t + " " + texts[i + 1][:60]
        out.append(t)
    return out


def _repeats_title(line: str, title: str) -> bool:
    """The headline again at the top of the body, alone or with the post's date after it."""
    if _same(line, title):
        return True
    rest = line.strip()[len(title):] if line.strip().startswith(title) else ""
    return bool(rest.strip()) and is_date_only(rest.strip())


def _same(a: str, b: str) -> bool:
    ka, kb = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return ka == kb or (len(ka) <= len(kb) + 4 and kb in ka and len(kb) >= 6)
