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
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from lxml import etree

from pipeline.clean.assemble import best_run, drop_spam, finish, score_blocks
from pipeline.clean.dating import date_signals, pick_date
from pipeline.clean.dom import (
    HBlock, Tagged, best_container, first_item, linearize, parse, strip_furniture, text_content,
)
from pipeline.clean.markers import any_of
from pipeline.clean.memo import per_line
from pipeline.clean.meta import (
    byline_sources, element_source, is_byline, join_bare_labels, meta_source, outlet_under_headline, parse_byline,
    script_source, vocab as byline_vocab,
)
from pipeline.clean.pubdate import lead_dates, parse_date, vocab
from pipeline.clean.tables import join_rows, mark_data_tables
from pipeline.clean.signals import is_date_only
from pipeline.clean.text import byline_authors, names_people
from pipeline.clean.titles import drop_source_prefix, pick_title, words as title_words
from pipeline.limits import check_deadline
from pipeline.record import Article


HEAD_WINDOW = 40
TAIL_WINDOW = 6
SOURCE_TAIL = 12  # blocks after the body where a 来源 line may still stand (版权声明 boxes)
BYLINE_LINES = 3  # lines under a headline that may hold its byline
_PUB_KEY = re.compile(
    r"(publish|pubdate|pub_date|pubtime|release_?date|create|issued|^date$|dc\.date|ptime|"
    r"posttime|post_date|firstpub|datepublished|sailthru\.date|publicationdate|^time$|og:time)", re.I)
_NOT_PUB = re.compile(r"(modif|updat|expir|revis|last)", re.I)
_ANY_DATE_KEY = re.compile(r"(date|time|modif|updat|publish|creat)", re.I)
_LD_DATE = re.compile(r'"(?:datePublished|dateCreated|uploadDate|pubDate)"\s*:\s*"([^"]+)"')


def scripts(root) -> list[tuple]:
    """(element, text) of every <script>: read once a page when ``root`` is a Tagged walk (lxml
    makes a new string of a script's text at every read, and inline scripts are large)."""
    read_once = getattr(root, "scripts", None)
    if read_once is not None:
        return read_once()
    return [(el, el.text or "") for el in root.iter("script")]


def meta_dates(root, every: bool = False) -> list[str]:
    """Publication dates declared in <meta> tags and JSON-LD, in page order; with every, the
    <meta> dates of edits too (dateUpdate), which still lend a yearless date its year."""
    out = []
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").strip()
        val = el.get("content")
        if every:
            iso = parse_date(val) if key and val and _ANY_DATE_KEY.search(key) else None
            if iso:
                out.append(iso)
            continue
        if key and val and _PUB_KEY.search(key) and not _NOT_PUB.search(key):
            iso = parse_date(val)
            if iso:
                out.append(iso)
    if every:
        return out
    for el in root.iter("time"):
        if el.get("pubdate") is not None or "publish" in (el.get("itemprop") or "").lower():
            iso = parse_date(el.get("datetime") or text_content(el) or "")
            if iso:
                out.append(iso)
    for el, text in scripts(root):
        if el.get("type") != "application/ld+json":
            continue
        for m in _LD_DATE.finditer(text):
            iso = parse_date(m.group(1))
            if iso:
                out.append(iso)
    return out


_SCRIPT_DATE = re.compile(r"""(?i)\w*(?:date|time)\w*\s*\(\s*["']([^"']{8,40})["']""")
_DATE_OR_TIME = re.compile("date|time", re.IGNORECASE)  # what every _SCRIPT_DATE match holds, found 7x faster
SCRIPT_SCAN = 200_000


def script_dates(root) -> list[str]:
    """Dates a small inline script prints where the byline stands (showDate("2020/04/17 01:43"))."""
    out = []
    for el, text in scripts(root):
        if el.get("src") or len(text) > 300 or not _DATE_OR_TIME.search(text):
            continue
        for m in _SCRIPT_DATE.finditer(text):
            iso = parse_date(m.group(1))
            if iso:
                out.append(iso)
    return out


_SCRIPT_VALUE = re.compile(
    r"""[:=]\s*["']?((?:19|20)\d\d[-/.年]\d{1,2}[^"'\n,;}<]{0,30}|1\d{9}(?:\d{3})?(?![\d.]))""")
_KEY_TAIL = re.compile(r"""["']?([\w$]+)["']?\s*$""")
# _SCRIPT_VALUE from a ':' and from a '=': a pattern opening with one character is scanned for
# by a tight loop, one opening with a set of two by a call a character (3x slower over scripts)
_VALUE_AFTER = tuple(re.compile(c + _SCRIPT_VALUE.pattern[len("[:=]"):]).search for c in ":=")


def _first_value(text: str) -> int | None:
    """Where _SCRIPT_VALUE's first match in text starts (None: it has none): the nearer of the
    first match after a ':' and after a '='."""
    starts = [m.start() for m in (find(text) for find in _VALUE_AFTER) if m is not None]
    return min(starts) if starts else None


@lru_cache(maxsize=1)
def _script_keys() -> dict[str, str]:
    return {w.lower(): group for group, words in vocab()["script_keys"].items() for w in words}


def script_times(root) -> dict[str, list[str]]:
    """Times inline scripts hold in variables or JSON keys (var ct = "1581418070",
    "publishDate": "2019-09-07T00:31:40Z"), by what the name says: published, created, or
    the server's clock (reference). Epochs are read as Beijing time. Where a name holds
    different days, the script lists other items (related news, references): none is kept."""
    keys = _script_keys()
    out: dict[str, list[str]] = {g: [] for g in vocab()["script_keys"]}
    for el, text in scripts(root):
        if el.get("src") or (el.get("type") or "").endswith("ld+json"):
            continue
        text = text[:SCRIPT_SCAN]
        start = _first_value(text)
        if start is None:
            continue
        for m in _SCRIPT_VALUE.finditer(text, start):
            k = _KEY_TAIL.search(text, max(0, m.start() - 40), m.start())
            group = keys.get(k.group(1).lower()) if k else None
            if group:
                iso = parse_date(m.group(1).strip())
                if iso:
                    out[group].append(iso)
    return {g: v if len({d[:10] for d in v}) <= 1 else [] for g, v in out.items()}


STAMP_ATTRS = ("datetime", "title", "data-utime", "data-time", "data-timestamp")


def stamp_dates(root) -> list[str]:
    """The machine time a short time stamp carries in an attribute
    (<abbr title="2012-01-12T08:45:00Z">3小时前</abbr>): the date a relative stamp stands for."""
    for el in root.iter("abbr", "time"):
        if len(text_content(el).strip()) > 30:
            continue
        for a in STAMP_ATTRS:
            iso = parse_date(el.get(a) or "")
            if iso:
                return [iso]
    return []


@dataclass
class TitleSignals:
    headings: list[str]
    og: str | None
    titles: list[str]
    declared: str | None
    sites: list[str]


_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@per_line
def _named_title(cls: str | None, ident: str | None) -> bool:
    """class/id names the headline ('xl_tit1', 'NewsArticleTitle', 'con-title')."""
    if not (cls or ident):
        return False
    attrs = " ".join(v for v in (cls, ident) if v)
    tokens, quick = _title_tokens()
    if not quick(attrs):
        return False
    return bool({t.lower().rstrip("0123456789") for t in _CAMEL.findall(attrs)} & tokens)


@lru_cache(maxsize=1)
def _title_tokens() -> tuple:
    """(the tokens, a search for any of them in any case). With ASCII tokens, an ASCII string is
    lower-cased and searched case-sensitively: the same answer (no other character folds to
    an ASCII one within ASCII), 3x faster than the case-insensitive regex."""
    toks = title_words()["title_tokens"]
    anycase = re.compile("|".join(map(re.escape, toks)), re.IGNORECASE).search
    if not toks or not all(t.isascii() for t in toks):
        return frozenset(toks), anycase
    lower = any_of({t.lower() for t in toks})
    return frozenset(toks), lambda s: lower(s.lower()) if s.isascii() else anycase(s)


def _in_furniture(el, hint, furnished: dict) -> bool:
    """Whether el or an element around it is page furniture (dom_hint < 0). The answer is kept
    for every element passed on the way up, so that the headline candidates of a page, which
    share most of their ancestors, walk each of them once."""
    passed = []
    found = False
    while el is not None:
        known = furnished.get(el)
        if known is not None:
            found = known
            break
        passed.append(el)
        if hint(el) < 0:
            found = True
            break
        el = el.getparent()
    for e in passed:
        furnished[e] = found
    return found


def title_signals(root: Tagged) -> TitleSignals:
    """Headline evidence: headings and title-classed elements (in page order, none inside a
    share box, nav or footer), the <title> texts, og:title, a declared ArticleTitle, and the
    site and column names metas declare."""
    headings = []
    furnished: dict = {}
    heads = root.headings
    for el, cls, ident in root.named:
        if el in heads or _named_title(cls, ident):
            text = " ".join(text_content(el).split())
            if 4 <= len(text) <= 120 and not _in_furniture(el.getparent(), root.hint, furnished):
                headings.append(text)
    w = title_words()
    metas: dict = {}
    for el in root.iter("meta"):
        k = (el.get("property") or el.get("name") or "").strip().lower()
        v = " ".join((el.get("content") or "").split())
        if k and v and k not in metas:
            metas[k] = v
    declared = next((metas[k] for k in w["declared_title_keys"] if k in metas), None)
    og = next((metas[k] for k in w["shared_title_keys"] if k in metas), None)
    sites = [metas[k] for k in w["site_name_keys"] if k in metas]
    titles = [" ".join(text_content(t).split()) for t in root.iter("title")]
    return TitleSignals(headings, og, [t for t in titles if t], declared, sites)


def meta_contents(root) -> dict[str, str]:
    """<meta> name (lower-case) -> content, the first filled one of each name."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        val = (el.get("content") or "").strip()
        if key and val and key not in out:
            out[key] = val
    return out


def source_element_texts(root, named: list | None = None) -> list[str]:
    """Texts of the elements whose class or id names them as the source or account (once for
    each of the two that does). ``named``: the (element, class, id) of every element with
    either, in page order, when a walk before furniture was stripped found them; those no
    longer under ``root`` are skipped, so no second walk of the tree is needed."""
    names = set(byline_vocab()["source_classes"])
    if named is None:
        named = [(el, el.get("class"), el.get("id")) for el in root.iter(etree.Element)]
    out = []
    for el, cls, ident in named:
        for v in (cls, ident):
            if (v and not names.isdisjoint(v.split()) and el.tag not in ("script", "style", "meta")
                    and _under(el, root)):
                out.append(" ".join(text_content(el).split()))
    return out


def _under(el, root) -> bool:
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


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


_URL_METAS = ("og:url", "url", "twitter:url")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)


def page_url(root, content: str = "") -> str | None:
    """The address a page states for itself: <link rel="canonical">, else og:url or the
    portals' <meta name="Url">, else the 'saved from url' mark a browser writes on a saved
    page (absolute http(s) only: a relative one names no host)."""
    for el in root.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split():
            u = _absolute(el.get("href"))
            if u:
                return u
    metas = {}
    for el in root.iter("meta"):
        k = (el.get("property") or el.get("name") or "").strip().lower()
        if k in _URL_METAS and k not in metas:
            metas[k] = _absolute(el.get("content"))
    for k in _URL_METAS:
        if metas.get(k):
            return metas[k]
    m = _SAVED_FROM.search(content[:2000])
    return _absolute(m.group(1)) if m else None


def _absolute(u: str | None) -> str | None:
    u = (u or "").strip()
    return u if re.match(r"(?i)^https?://[^/\s]+\.[^/\s]+", u) and not re.search(r"\s", u) else None


def clean_html(content: str, url: str | None = None, fetched_at: datetime | None = None) -> Article:
    root = parse(content)
    tagged = Tagged(root)
    m_dates, donors = meta_dates(tagged), meta_dates(tagged, every=True)
    m_source = meta_source(meta_contents(tagged))
    js_source = script_source([text for el, text in scripts(tagged) if not el.get("src")])
    s_dates = script_dates(tagged)[:1]
    tsig = title_signals(tagged)
    own_url = url or page_url(tagged, content)
    s_times = script_times(tagged)
    stamped = stamp_dates(tagged)
    check_deadline("clean: parse")
    strip_furniture(root, tagged.styled, tagged.hint)
    blocks = linearize(root)
    check_deadline("clean: linearize")
    score_blocks(blocks)
    rows_of, doc_meta = mark_data_tables(blocks)
    container = best_container(blocks, root, tagged.hint)
    check_deadline("clean: body")
    idx = [i for i, b in enumerate(blocks) if container in b.chain]
    inner = [blocks[i] for i in idx]
    start, end = best_run([b.score for b in inner]) if inner else (0, 0)
    body = first_item(inner[start:end])
    end = start + len(body)
    first = idx[start] if body else 0
    head = [b.text for b in blocks[max(0, first - HEAD_WINDOW):first]]
    title = pick_title(tsig.headings, tsig.og, tsig.titles, tsig.declared, tsig.sites, head)
    if not body:
        first = _below_title(blocks, title)
        head = [b.text for b in blocks[max(0, first - HEAD_WINDOW):first]]
    kept = [(k, b) for k, b in enumerate(body, first) if k not in doc_meta]
    parts = finish(join_rows(kept, rows_of, _row_block))
    after = idx[end - 1] + 1 if body else 0
    parts.meta_lines.extend(b.text for b in blocks[after:after + TAIL_WINDOW] if names_people(b.text))
    if parts.paragraphs and title and _repeats_title(parts.paragraphs[0], title):
        parts.paragraphs.pop(0)
    flags = drop_spam(parts, title)
    h_authors = byline_authors(head)
    b_authors = byline_authors(parts.meta_lines[::-1])
    near = headline_lines(blocks, title, first)
    region = blocks[:after + TAIL_WINDOW] if body else blocks
    sig = date_signals([b.text for b in region], [b.text for b in blocks],
                       parts.meta_lines + head[::-1], near, near + head[-3:])
    sig.meta, sig.shown = m_dates, s_dates
    sig.script, sig.created, sig.donors = s_times["published"], s_times["created"], donors
    sig.reference, sig.stamped = s_times["reference"], stamped
    sig.text = lead_dates(parts.paragraphs)
    published_at, how = pick_date(sig, url, fetched_at)
    tail = [b.text for b in blocks[after:after + SOURCE_TAIL]]
    head_lines = under_far_headline([b.text for b in blocks[:first]], title) + head
    source = (page_source(parts.meta_lines, head_lines, tail, js_source, outlet_under_headline(head, title) or m_source)
              or element_source(source_element_texts(root, tagged.named)))
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
        url=own_url,
        flags=flags,
    )


NEAR_HEADLINE = 4


def headline_lines(blocks, title: str | None, body_start: int) -> list[str]:
    """The few lines right under the headline, before the body: where a byline stands even
    when the body was found elsewhere (a bare date in a <span> beside the source)."""
    if not title:
        return []
    for i, b in enumerate(blocks):
        if _same(b.text, title):
            stop = body_start if body_start > i else len(blocks)
            return [x.text for x in blocks[i + 1:min(stop, i + 1 + NEAR_HEADLINE)]]
    return []
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
    return HBlock(text, links, score=sum(c.score for c in cells), table_row=True, elem=cells[0].elem)


def _repeats_title(line: str, title: str) -> bool:
    """The headline again at the top of the body, alone or with the post's date after it."""
    if _same(line, title):
        return True
    rest = line.strip()[len(title):] if line.strip().startswith(title) else ""
    return bool(rest.strip()) and is_date_only(rest.strip())


def _same(a: str, b: str) -> bool:
    kb = "".join(b.split())
    if len(a) < len(kb):  # a's key, no longer than a, can neither be nor hold b's
        return False
    ka = "".join(a.split())
    return ka == kb or (len(ka) <= len(kb) + 4 and kb in ka and len(kb) >= 6)
