"""lxml tree -> text blocks with link density and their place in the DOM.

bs4 costs 25-35 ms a page; one pass of lxml's element iterator over a tree stripped of scripts
and styles is what keeps `dgn extract` fast.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from pipeline.clean.assemble import Block
from pipeline.clean.memo import per_line
from pipeline.clean.signals import data, is_date_only
from pipeline.ingest.decode import utf8_of
from pipeline.limits import MAX_DEPTH, PageRejected

BLOCK_TAGS = frozenset(
    "p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 td th tr table tbody thead tfoot section article "
    "header footer nav aside main blockquote pre center form fieldset figure figcaption hr "
    "address caption details summary body html title option".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
DROP_TAGS = ("script", "style", "noscript", "iframe", "select", "textarea", "button", "svg",
             "template", "object", "embed", "canvas", "map", "input", "head", "video", "audio")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # lxml refuses them in text
_CONTROL_BYTES = bytes((*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)))
_HIDDEN = re.compile(r"display\s*:\s*none", re.I)
_TOKEN = re.compile(r"[a-z]+", re.I)


@dataclass
class HBlock(Block):
    elem: object = None
    place: tuple | None = None  # (cell, row, table) of a block inside a table cell
    chain: list | None = None  # elem, then its ancestors up to the root


_parsers = threading.local()


def _parser() -> etree.HTMLParser:
    """One parser a thread (its error log is per parser). libxml2's HTML parser reads no DTD
    and expands no entity declared in the page; no_network forbids fetching anything anyway,
    and without huge_tree it stops at 256 levels of nesting. lxml's own element classes, not
    lxml.html's: those look each element's class up in Python, a call for every element the
    cleaner touches. No table of id attributes (nothing here looks an element up by id; 4%
    of the parse). It reads UTF-8 bytes, which the check for refused characters has made
    already: libxml2 works in UTF-8, so a str would be converted once more (10% of the
    parse); the stated encoding wins over a page's own <meta charset> (libxml2 >= 2.12)."""
    p = getattr(_parsers, "p", None)
    if p is None:
        p = _parsers.p = etree.HTMLParser(recover=True, no_network=True, huge_tree=False, collect_ids=False,
                                          encoding="utf-8")
    return p


_STRING = etree.XPath("string()", smart_strings=False)


def text_content(el) -> str:
    """All the text inside an element, as lxml.html's text_content() gives it."""
    return _STRING(el)


def drop_tree(el) -> None:
    """Remove an element and what it holds, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is None:
            parent.text = (parent.text or "") + el.tail
        else:
            prev.tail = (prev.tail or "") + el.tail
    parent.remove(el)


def parse(content: str):
    """The document's root element; tolerant of broken markup and XML declarations.

    Control characters and lone surrogates are dropped first: invisible, and lxml refuses to
    set text that holds them (a stray \\x08 made the cleaner raise). A page nested deeper than
    libxml2 allows would be cut off silently; it is rejected (``too_deep``) instead, so that
    no page is published half-read."""
    content = _XML_DECL.sub("", content, count=1)
    raw = _utf8_if_safe(content)
    if raw is None:
        content = _NOT_XML.sub("", content)
        raw = content.encode("utf-8")
    if not content or content.isspace():  # as `not content.strip()`, without a copy of the page
        raw = b"<html></html>"
    parser = _parser()
    root = etree.fromstring(raw, parser)
    if root is None:
        raise etree.ParserError("Document is empty")
    for e in parser.error_log:
        if e.type_name == "ERR_RESOURCE_LIMIT":
            raise PageRejected("too_deep", f"{e.message} (limit {MAX_DEPTH} levels)")
    return root


def _xml_safe(content: str) -> bool:
    """No character of _NOT_XML."""
    return _utf8_if_safe(content) is not None


def _utf8_if_safe(content: str) -> bytes | None:
    """``content`` as UTF-8 when it holds no character of _NOT_XML (else None), told by C loops
    rather than a regex step a character (a third of the time): UTF-8 refuses lone
    surrogates, and its bytes under 0x20 are those characters themselves, each looked for by
    memchr (a third faster than a bytes.translate copy of the page)."""
    try:
        raw = utf8_of(content)
    except UnicodeEncodeError:
        return None
    if (not any(map(raw.__contains__, _CONTROL_BYTES))
            and "\ufffe" not in content and "\uffff" not in content):
        return raw
    return None


class Tagged:
    """The tree read in one walk for what the readers before the body ask of it: the elements
    the header readers look at (meta, time, script, title, link, abbr), the headings and the
    elements with a class or id (headline candidates), and the styled elements (hidden
    furniture), each in document order. Any other tag is asked of the tree."""

    TAGS = frozenset(("meta", "time", "script", "title", "link", "abbr"))

    def __init__(self, root):
        self.root = root
        self.els: list = []
        self.named: list = []  # headings and elements with a class or id: (element, class, id)
        self.styled: list = []
        self._scripts: list | None = None
        self._attrs: dict = {}  # element -> its entry in named, for those a class/id hint may name
        self.headings: set = set()  # the h1-h6 elements, so that no reader asks every named tag
        tags, els, named, styled, attrs = self.TAGS, self.els, self.named, self.styled, self._attrs
        heads = self.headings
        for el in root.iter(etree.Element):
            tag = el.tag
            if tag in tags:
                els.append(el)
            cls, ident = el.get("class"), el.get("id")
            if cls or ident:
                named.append(e := (el, cls, ident))
                if tag not in _UNHINTED:
                    attrs[el] = e
                if tag in HEADINGS:
                    heads.add(el)
            elif tag in HEADINGS:
                named.append((el, cls, ident))
                heads.add(el)
            if el.get("style") is not None:
                styled.append(el)

    def hint(self, el) -> int:
        """dom_hint(el) from the class and id the walk read (an element it did not meet, or
        one without either, has none): no attribute read again an element."""
        e = self._attrs.get(el)
        return 0 if e is None else _attrs_hint(e[1], e[2])

    def scripts(self) -> list[tuple]:
        """(element, text) of every <script>, in page order, each text read once."""
        if self._scripts is None:
            self._scripts = [(el, el.text or "") for el in self.els if el.tag == "script"]
        return self._scripts

    def iter(self, *tags):
        if tags and self.TAGS.issuperset(tags):
            return [e for e in self.els if e.tag in tags]
        return self.root.iter(*tags)


def strip_furniture(root, styled: list | None = None, hint=None) -> None:
    """Remove what is never visible article text: scripts, styles, form controls, comments,
    display:none elements (not visibility:hidden: WeChat reveals its body by script).
    ``styled``: the elements with a style attribute, when a walk already found them; ``hint``:
    dom_hint, or the walk's ``Tagged.hint``."""
    hint = hint or dom_hint
    if styled is None:
        styled = [el for el in root.iter(etree.Element) if el.get("style") is not None]
    for el in styled:
        if _HIDDEN.search(el.get("style", "")) and el.getparent() is not None and hint(el) <= 0:
            drop_tree(el)
    etree.strip_elements(root, *DROP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def linearize(root) -> list[HBlock]:
    """Visible text as blocks in document order: a block ends at a block-level tag or <br>.
    Each block keeps its element's chain of ancestors (``chain``), read off the walk, so that
    finding the body needs no walk up the tree a block.

    The walk is lxml's ``iter()`` (its C loop) with the elements that end before the next one
    starts found by its parent, not ``iterwalk``'s two Python events an element (twice the
    cost); a block's table place is carried down the open blocks, not looked up a block."""
    blocks: list[HBlock] = []
    buf: list[str] = []
    append = buf.append
    link_chars = 0
    link_depth = 0
    path = [root]  # every open element, root first
    tags = [root.tag]
    stack = [0]  # the open block elements, as places in path
    within = [_within(_NO_TABLE, root, tags[0])]  # for each of them, _within

    def flush():
        nonlocal link_chars
        text = " ".join("".join(buf).split())
        if text:
            d = stack[-1]
            ratio = min(1.0, link_chars / len(text)) if link_chars else 0.0
            blocks.append(HBlock(text, ratio, tags[d] in HEADINGS, 0.0, False, path[d], within[-1][0],
                                 path[d::-1]))  # by place: keyword arguments cost a block
        buf.clear()
        link_chars = 0

    elements = root.iter(etree.Element)  # as iterwalk: no comment or processing instruction, nor its tail
    el = next(elements)
    tag = tags[0]
    while True:
        if tag in BLOCK_TAGS:
            if buf:
                flush()
            stack.append(len(path) - 1)
            within.append(_within(within[-1], el, tag) if tag in _TABLE_TAGS else within[-1])
        elif tag == "br":
            if buf:
                flush()
        elif tag == "a":
            link_depth += 1
        t = el.text
        if t and (buf or not t.isspace()):  # white space opening a block makes no text: no flush
            append(t)
            if link_depth:
                link_chars += len(t.strip())
        el = next(elements, None)
        parent = root if el is None else el.getparent()
        while path[-1] is not parent:  # the elements that end before el starts, innermost first
            tag = tags[-1]
            if tag in BLOCK_TAGS:
                if buf:
                    flush()
                stack.pop()
                within.pop()
            elif tag == "a":
                link_depth -= 1
            tags.pop()
            t = path.pop().tail
            if t and (buf or not t.isspace()):
                append(t)
                if link_depth:
                    link_chars += len(t.strip())
        if el is None:
            break
        tag = el.tag
        path.append(el)
        tags.append(tag)
    tag = tags[0]  # the root's end
    if tag in BLOCK_TAGS:
        if buf:
            flush()
        stack.pop()
    elif tag == "a":
        link_depth -= 1
    t = root.tail
    if t:
        append(t)
        if link_depth:
            link_chars += len(t.strip())
    if buf:
        flush()
    return blocks


_NO_TABLE = (None, None, None)
_CELLS = frozenset(("td", "th"))
_TABLE_TAGS = _CELLS | {"tr", "table"}  # the block tags that change _within's answer


def _within(outer: tuple, el, tag: str) -> tuple:
    """(place, row, table) for the blocks inside block element ``el``, from those of the
    block around it: ``place`` is the (cell, row, table) of the innermost table cell, when a
    row of a table holds it, else None; ``row`` is the (row, table) a cell opened here would
    sit in; ``table`` the table a row opened here would."""
    place, row, table = outer
    if tag in _CELLS:
        return ((el, *row) if row is not None and row[1] is not None else None), row, table
    if tag == "tr":
        return None, (el, table), table
    if tag == "table":
        return None, None, el
    return outer


_UNHINTED = frozenset(("html", "body", "form"))  # tags whose class/id says nothing


@lru_cache(maxsize=1)
def _hint_sets() -> tuple[frozenset, frozenset]:
    d = data()
    return frozenset(d["dom_negative"]), frozenset(d["dom_positive"])


def dom_hint(el) -> int:
    """-1 for a container whose class/id names page furniture (that wins: 'content-related'
    is a related list), +1 for an article body, else 0."""
    cls, ident = el.get("class"), el.get("id")
    if not (cls or ident) or el.tag in _UNHINTED:
        return 0
    return _attrs_hint(cls, ident)


@per_line
def _attrs_hint(cls: str | None, ident: str | None) -> int:
    attrs = " ".join(v for v in (cls, ident) if v and "/" not in v and "." not in v)
    if not attrs.strip():
        return 0
    neg, pos = _hint_sets()
    toks = {t.lower() for t in _TOKEN.findall(attrs)}
    if toks & neg:
        return -1
    return 1 if toks & pos else 0


def best_container(blocks: list[HBlock], root, hint=None):
    """The article's container: the element whose blocks' scores sum highest, unless the
    page's best run of blocks lies elsewhere and scores clearly more.

    Scores are signed, so a wrapper that adds navigation or comment blocks loses to the
    tighter element holding only the article. But a table-layout cell that holds the article
    and, after it, a long tail of teasers and ads sums below zero; the best run of blocks
    (then its lowest common ancestor) still finds it. ``hint``: dom_hint, or the walk's
    ``Tagged.hint`` (the same answers)."""
    from pipeline.clean.assemble import best_run, run_value

    sums: dict = {}  # in the order each element is first met, which breaks ties in the max
    get = sums.get
    near: dict = {}
    for b in blocks:
        s = b.score
        chain = b.chain
        h = near.get(chain[0])
        if h is None:
            h = _nearest_hint(chain, near, hint or dom_hint)
        if h < 0:
            s = -abs(s) * 0.3
        elif h > 0:
            s = s * 1.5 if s > 0 else s * 0.5
        b.score = s
        for el in chain:
            sums[el] = get(el, 0.0) + s
    if not sums:
        return root
    by_sum = max(sums, key=sums.__getitem__)  # the first of equal sums, as max keeps the first
    scores = [b.score for b in blocks]
    start, end = best_run(scores)
    inside = [b.score for b in blocks if by_sum in b.chain]
    if end > start and run_value(scores[start:end]) > RUN_OVER_SUM * max(run_value(inside), 1.0):
        lca = common_ancestor([b.chain for b in blocks[start:end] if b.score > 0])
        return by_sum if lca is None else lca
    return by_sum


RUN_OVER_SUM = 1.5


def _nearest_hint(chain: list, near: dict, hint) -> int:
    """The dom_hint of the innermost element of ``chain`` that has one (0 when none does),
    kept in ``near`` for every element passed on the way up: blocks share their ancestors."""
    passed = []
    h = 0
    for el in chain:
        known = near.get(el)
        if known is not None:
            h = known
            break
        passed.append(el)
        h = hint(el)
        if h:
            break
    for el in passed:
        near[el] = h
    return h


def common_ancestor(chains: list[list]):
    """The deepest element that holds all the elements whose chains (element, then its
    ancestors) are given."""
    if not chains:
        return None
    path = chains[0][::-1]
    depth = len(path)
    for c in chains[1:]:
        chain = c[::-1]
        k = 0
        while k < min(depth, len(chain)) and chain[k] is path[k]:
            k += 1
        depth = k
    return path[depth - 1] if depth else None


_CLOCK = re.compile(r"\d{1,2}[:：]\d\d")


def first_item(body: list[HBlock]) -> list[HBlock]:
    """A run that holds several posts (a blog's front page, a forum thread) each under a
    timestamp line of one form (same tag and class): the page's article is the first post.
    Cut before the second stamp, and before the title and footer lines that lead up to it."""
    stamps: dict = {}
    for k, b in enumerate(body):
        if is_date_only(b.text) and _CLOCK.search(b.text):
            stamps.setdefault((b.elem.tag, b.elem.get("class")), []).append(k)
    cuts = [ks for ks in stamps.values() if len(ks) >= 2]
    if not cuts:
        return body
    k = min(ks[0] for ks in cuts)
    if not any(b.score > 0 for b in body[:k]):
        return body
    while k > 0 and body[k - 1].score <= 0:
        k -= 1
    return body[:k]
