"""HTML -> Article.

The body is the DOM element whose text blocks score highest as prose (length, punctuation,
link density, class/id hints), trimmed to its best run of blocks; headline from <h1> checked
against og:title/<title>; date from a signed document date (成文日期), meta tags and JSON-LD,
the byline above the body, a labelled date anywhere, a date an inline script prints, the URL;
source as written from the bylines (labelled, beside the date, under the headline), a script
that writes the byline, <meta>, or an element named for it.
"""
from __future__ import annotations

import re
from datetime import datetime

from pipeline.clean.assemble import best_run, finish, score_blocks
from pipeline.clean.dating import choose_date
from pipeline.clean.dom import best_container, first_item, linearize, parse, strip_furniture
from pipeline.clean.meta import (
    byline_sources, element_source, is_byline, join_bare_labels, meta_source, outlet_under_headline, parse_byline,
    script_source, vocab,
)
from pipeline.clean.pubdate import document_dates, labelled_dates, lead_dates, parse_date
from pipeline.clean.text import header_facts, names_people
from pipeline.clean.titles import drop_source_prefix, pick_title
from pipeline.record import Article

HEAD_WINDOW = 40
TAIL_WINDOW = 6
SOURCE_TAIL = 12  # blocks after the body where a 来源 line may still stand (版权声明 boxes)
BYLINE_LINES = 3  # lines under a headline that may hold its byline
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


def meta_contents(root) -> dict[str, str]:
    """<meta> name (lower-case) -> content, the first filled one of each name."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        val = (el.get("content") or "").strip()
        if key and val and key not in out:
            out[key] = val
    return out


def source_element_texts(root) -> list[str]:
    """Texts of the elements whose class or id names them as the source or account."""
    names = set(vocab()["source_classes"])
    return [" ".join(v.getparent().text_content().split()) for v in root.xpath("//@class|//@id")
            if not names.isdisjoint(v.split()) and v.getparent().tag not in ("script", "style", "meta")]


def page_source(body_lines: list[str], head: list[str], tail: list[str], scripted: str | None,
                fallback: str | None) -> str | None:
    """The source as written: a labelled one in the body's or header's bylines or written
    there by a script, then an outlet printed beside the byline's date, then `fallback` (an
    account under the headline, the one <meta> declares), then a labelled one just after the
    body (a 版权声明 box)."""
    b_lab, b_out = byline_sources(join_bare_labels(body_lines))
    h_lab, h_out = byline_sources(join_bare_labels(head)[::-1])
    return b_lab or h_lab or scripted or b_out or h_out or fallback or byline_sources(join_bare_labels(tail))[0]


def under_far_headline(before_body: list[str], title: str | None) -> list[str]:
    """The byline lines under the headline when the headline stands farther above the body
    than HEAD_WINDOW (a misplaced body, a long gallery between them)."""
    if not title or len(before_body) <= HEAD_WINDOW:
        return []
    for i in range(len(before_body) - HEAD_WINDOW - 1, -1, -1):
        if _same(before_body[i], title):
            return before_body[i + 1:min(i + 1 + BYLINE_LINES, len(before_body) - HEAD_WINDOW)]
    return []


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
    m_source = meta_source(meta_contents(root))
    js_source = script_source([el.text or "" for el in root.iter("script") if not el.get("src")])
    s_dates = script_dates(root)[:1]
    h1s, og, doc_title = title_signals(root)
    strip_furniture(root)
    blocks = linearize(root)
    score_blocks(blocks)
    container = best_container(blocks, root)
    idx = [i for i, b in enumerate(blocks) if b.elem is container or container in b.elem.iterancestors()]
    inner = [blocks[i] for i in idx]
    start, end = best_run([b.score for b in inner]) if inner else (0, 0)
    body = first_item(inner[start:end])
    end = start + len(body)
    parts = finish(body)
    first = idx[start] if body else 0
    after = idx[end - 1] + 1 if body else 0
    parts.meta_lines.extend(b.text for b in blocks[after:after + TAIL_WINDOW] if names_people(b.text))
    title = pick_title(h1s, og, doc_title)
    if parts.paragraphs and title and _same(parts.paragraphs[0], title):
        parts.paragraphs.pop(0)
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
    tail = [b.text for b in blocks[after:after + SOURCE_TAIL]]
    head_lines = under_far_headline([b.text for b in blocks[:first]], title) + head
    source = (page_source(parts.meta_lines, head_lines, tail, js_source, outlet_under_headline(head, title) or m_source)
              or element_source(source_element_texts(root)))
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
    )


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


def _same(a: str, b: str) -> bool:
    ka, kb = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    return ka == kb or (len(ka) <= len(kb) + 4 and kb in ka and len(kb) >= 6)
