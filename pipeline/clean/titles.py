"""Headline signals: the line above the byline in a dump; in HTML, the visible heading that
agrees with <title> (or the declared ArticleTitle, og:title) once the site and column names
are peeled off it.

Portals name themselves in <title> ('标题_栏目_某某市人民政府门户网站', '某某局 栏目 标题'),
sometimes only themselves, and set the headline in a div, td or strong rather than <h1>. A
title cut at every separator loses real headlines ('1-10月…', '“海丝茶源·飘香安溪”…'); so
only whole segments at either end that name a site, or a column beside it, are peeled.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pipeline.clean.markers import any_of, classify
from pipeline.clean.memo import per_line
from pipeline.clean.meta import is_byline, parse_byline
from pipeline.clean.signals import (
    CJK_RE, URL_RE, cjk_ratio, is_caption, is_date_only, is_nav_run, punct_count, visible_len,
)

_DATA = Path(__file__).resolve().parents[1] / "data" / "title_words.yaml"
# a segment boundary: hard separators (unspaced '-' too: '标题-某某网'), spaced dashes, spaces
_SPLIT = re.compile(r"(\s*(?:_+|[|｜>»→＞]+|(?<!\d)-{1,2}|-{1,2}(?!\d)|::|\s[—–·]\s)\s*|(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9]))")
_KEYWORDS = re.compile(r"^[^,，、\s]{2,16}(?:[,，、][^,，、\s]{2,16}){2,}[,，、]?$")
_TAG = re.compile(r"<\s*/?\s*[a-z][\w:.-]*(?:\s[^<>]*)?/?\s*>", re.I)  # <br>, <div> written into a title
_AD_PREFIX = re.compile(r"^\s*\[[^\[\]]{1,20}\]\s*")
_DOMAIN = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+(?:com|cn|net|org|gov|edu|info|cc|tv)(?:\.cn)?/?$", re.I)
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
_QUOTES = re.compile(r"[\s\"“”'‘’「」《》\-—–－·•・]")  # and dashes, dots: sites write them differently
MIN_HEADLINE = 5


@lru_cache(maxsize=1)
def words() -> dict:
    from pipeline.clean import yamlfile

    d = yamlfile.load(_DATA.read_text("utf-8"))
    d["placeholders"] = frozenset(s.lower() for s in d["placeholder_titles"])
    d["suffixes"] = tuple(sorted(d["site_suffixes"], key=len, reverse=True))
    d["strong"] = tuple(d["site_suffixes_strong"])
    d["not_site"] = tuple(d["not_site_endings"])
    d["columns"] = tuple(d["column_suffixes"])
    d["headline_re"] = any_of(d["headline_words"]) or _none
    d["statement_re"] = any_of(d["statement_particles"]) or _none
    return d


def _none(s: str) -> None:
    return None


_STATEMENT_PUNCT = re.compile(r"[！？!?：:，,]")


@per_line
def key(s: str) -> str:
    """The comparison form: NFKC, no white space, quotes, dashes or dots."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", s or ""))


@per_line
def headline_like(s: str) -> bool:
    n = visible_len(s)
    return (5 <= n <= 80 and not URL_RE.match(s) and not is_date_only(s) and classify(s) is None
            and not is_caption(s) and not is_nav_run(s) and punct_count(s) <= max(2, n // 12)
            and cjk_ratio(s) > 0.3)


_BYLINE_TAIL = re.compile(
    r"\s*[(（\[【]?\s*(?:(?:19|20)\d\d(?:([-/.])\d{1,2}\1\d{1,2}|年\d{1,2}月\d{1,2}日)"
    r"|(?:来源|來源|作者|发布|發布|发表|發表|时间|時間|日期|编辑|編輯|记者|記者)\s*[:：于]).*$")


def cut_byline(h: str) -> str:
    """A heading without the date and byline its element carries after it ('标题 2023-08-19
    来源：某报 字号：大 中 小' -> '标题'); '' when it is a byline itself."""
    m = _BYLINE_TAIL.search(h)
    if not m:
        return h
    return h[:m.start()].strip() if visible_len(h[:m.start()]) >= MIN_HEADLINE else ""


def _heading_like(s: str) -> bool:
    """A heading element's text that can be a headline: punctuation is no count against it
    ('谁来为“埋单”？'), as it is for a bare line."""
    n = visible_len(s)
    return (5 <= n <= 80 and not URL_RE.match(s) and not is_date_only(s) and not _credit(s)
            and classify(s) is None and cjk_ratio(s) > 0.3 and not s.endswith((":", "：")))


def _credit(s: str) -> bool:
    """A byline, or a short line that credits a source or people ('见习记者 王一凡')."""
    if is_byline(s):
        return True
    if len(s) > 40:
        return False
    b = parse_byline(s)
    return bool(b.source or b.authors or b.editors)


def line_above_byline(head: list[str]) -> str:
    """The headline-like line right above the byline nearest the body, or ''."""
    for i in range(len(head) - 1, -1, -1):
        if is_byline(head[i]):
            j = i - 1
            while j >= 0 and (_credit(head[j]) or URL_RE.match(head[j]) or visible_len(head[j]) < 5):
                j -= 1
            if j >= 0 and headline_like(head[j]):
                return head[j]
    return ""


def title_from_lines(head: list[str]) -> str:
    """The headline among the lines above the body: the one right above the byline, else the
    nearest headline-like line."""
    line = line_above_byline(head)
    if line:
        return line
    for s in reversed(head):
        if headline_like(s) and not _credit(s):
            return s
    return ""


def is_site_name(seg: str, known: frozenset[str] = frozenset(), whole: bool = False, strong: bool = False) -> bool:
    """A segment that names a site, publisher or department: declared in a meta tag, a domain,
    or a short unpunctuated name ending like one ('…门户网站', '…政府网', '…办事处').
    whole: the text stands alone (a whole title, a heading), so one with a space or a word of
    a statement ('召开', '的') is no name; strong: only a site's own endings count ('…网',
    '…门户网站'), not a department's ('…局')."""
    k = key(seg)
    if not k:
        return False
    w = words()
    if k in known or _DOMAIN.match(k) or k.lower() in w["placeholders"]:
        return True
    if len(k) > 24 or len(k) < 3 or punct_count(seg) or _STATEMENT_PUNCT.search(k):
        return False
    if w["headline_re"](k):
        return False
    if whole and (" " in seg.strip() or w["statement_re"](k)):
        return False
    return k.endswith(w["strong"] if strong else w["suffixes"]) and not k.endswith(w["not_site"])


def _is_column(seg: str, known: frozenset[str]) -> bool:
    k = key(seg)
    return k in known or bool(_CJK_ONLY.match(k))


def _is_furniture(seg: str, sep: str, end: int, rest: list[str]) -> bool:
    """An end segment that is no part of a headline: a column name ('…|即时新闻'), a list of
    keywords ('…-甲,乙,丙'), a bare two-to-four-character name after a hard separator at the
    end ('标题-纪检'), a Latin site name beside a Chinese headline ('…-Taiwan News Online')."""
    k = key(seg)
    if _KEYWORDS.match(k) or (_CJK_ONLY.match(k) and _column_only(k) and (sep != " " or len(k) <= 4)):
        return True
    if sep == " ":
        return False
    if end == -1 and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", k):
        return True
    return bool(re.search(r"[A-Za-z]{3}", k)) and not CJK_RE.search(k) and any(CJK_RE.search(r) for r in rest)


def _column_only(s: str) -> bool:
    k = key(s)
    return len(k) <= 8 and k.endswith(words()["columns"])


def known_names(names) -> frozenset[str]:
    """Comparison forms of declared site and column names and of their parts."""
    out = set()
    for n in names:
        if not n:
            continue
        out.add(key(n))
        out.update(key(p) for p in _SPLIT.split(n)[::2] if visible_len(p) >= 2)
    out.discard("")
    return frozenset(out)


def peel_site_names(title: str, known: frozenset[str] = frozenset(), spaced: bool = True) -> str:
    """<title> minus the site and column names at either end; '' when nothing else is left
    ('佛山市人民政府门户网站', '新闻动态--某某学会官网', '无标题文档'). spaced=False peels only
    across hard separators ('_', '|', '-'), never a segment after a space."""
    title = " ".join(_TAG.sub(" ", title or "").replace("\xa0", " ").split()).strip(" _|｜-:")
    if not title:
        return ""
    parts = _SPLIT.split(title)
    segs, seps = parts[::2], [s.strip() or " " for s in parts[1::2]]
    lo, hi = 0, len(segs) - 1  # the segments left, inclusive
    for end in (-1, 0):
        kind = None
        while lo < hi:
            i = hi if end == -1 else lo
            seg, sep = segs[i], seps[i - 1] if end == -1 else seps[i]
            if sep == " " and not spaced:
                break
            rest = segs[lo:hi] if end == -1 else segs[lo + 1:hi + 1]
            # before the headline, a name set off by a space is a site only by a site's own
            # words, or when a column follows it ('某某局 文旅快讯 标题')
            lead = end == 0 and sep == " "
            column_next = lead and hi - lo >= 2 and seps[i + 1] == " " and _is_column(segs[i + 1], known)
            if (is_site_name(seg, known, strong=lead and not column_next) or key(seg) in known
                    or (kind == sep and _is_column(seg, known)) or _is_furniture(seg, sep, end, rest)):
                lo, hi = (lo, hi - 1) if end == -1 else (lo + 1, hi)
                kind = sep
            else:
                break
    peeled = (lo, hi) != (0, len(segs) - 1)
    rest = "".join(parts[2 * lo:2 * hi + 1])
    if is_site_name(rest, known, whole=True) or _column_only(rest) or (peeled and visible_len(rest) < MIN_HEADLINE):
        return ""
    return rest


def strip_site_name(title: str, known: frozenset[str] = frozenset()) -> str:
    """'标题_频道_网站' -> '标题'."""
    return peel_site_names(title, known) or (title or "").strip()


def _agreement(h: str, refs: list[str]) -> int:
    """2: a reference says exactly this; 1: this starts or ends a reference and is most of it
    (a site name the peeling missed); 0: no reference vouches for it. A heading longer than every reference is not vouched for: what it adds
    is a byline, a comment count or a translation glued on more often than a subtitle."""
    kh = key(h)
    best = 0
    for r in refs:
        kr = key(r)
        if not kr:
            continue
        if kh == kr:
            return 2
        if (kr.startswith(kh) or kr.endswith(kh)) and 2 * len(kh) >= len(kr):
            best = 1
    return best


def clean_headline(s: str) -> str:
    """One line, no literal <br>, no advertiser's '[…]' prefix (a column label is set in 【】)."""
    s = " ".join(_TAG.sub(" ", s or "").replace("\xa0", " ").split()).rstrip(" -_|｜")
    rest = _AD_PREFIX.sub("", s)
    return rest if visible_len(rest) >= MIN_HEADLINE else s


def _pieces(ref: str) -> list[str]:
    """A reference and, when hard separators still split it, each of its parts."""
    parts = [p for p in re.split(r"\s*(?:_+|[|｜]|--)\s*", ref) if p]
    return [ref, *parts] if len(parts) > 1 else [ref]


def _main_piece(ref: str) -> str:
    """The longest part of a reference still split by hard separators ('标题|专题名')."""
    return max(_pieces(ref)[1:] or [ref], key=visible_len)


def pick_title(headings: list[str], og: str | None, doc_title, declared: str | None = None,
               sites=(), head: list[str] | None = None) -> str:
    """The visible heading that the declared headline, og:title or <title> (site and column
    names peeled) vouches for; else that reference itself; else the heading nearest the body.

    headings: texts of h1-h6 and title-classed elements in page order; doc_title: one <title>
    text or several; sites: declared site and column names; head: the blocks above the body."""
    titles = [doc_title] if isinstance(doc_title, str) else list(doc_title or [])
    stated = [x for x in (declared, og, *titles) if x]
    # a meta that repeats the headline ('ColumnName' = the title) names no site
    known = known_names(sites) - {key(x) for x in stated if not is_site_name(x, whole=True)}
    refs = [r for r in (peel_site_names(x, known) for x in stated) if r]
    loose = [r for x in stated for r in (peel_site_names(x, known, spaced=False),) if r]
    vouch = [p for r in dict.fromkeys(refs + loose) for p in _pieces(r)]
    cands = [h for h in headings if 4 <= visible_len(h) <= 100 and not is_site_name(h, known, whole=True)]
    scored = [(_agreement(h, vouch), len(key(h)), -i, h) for i, h in enumerate(cands)]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        return clean_headline(max(scored)[3])
    # else a plain line above the body (a td, a strong, a div) that a reference states exactly
    for s in reversed(head or ()):
        if _heading_like(s) and _agreement(s, vouch) == 2:
            return clean_headline(s)
    for r in refs:
        if visible_len(r) >= MIN_HEADLINE:
            return clean_headline(_main_piece(r))
    # nothing vouches: the heading nearest above the body, else the line above the byline
    lines = [s for s in head or () if not is_site_name(s, known, whole=True)]
    near = key("".join(lines))  # a heading broken by <br> spans two blocks
    bare = [cut_byline(h) for h in cands]
    line = (next((h for h in reversed(bare) if key(h) in near and _heading_like(h)), "")
            or line_above_byline(lines) or next((h for h in bare if _heading_like(h)), "")
            or title_from_lines(lines))
    return clean_headline(line)


def drop_source_prefix(title: str, source: str | None) -> str:
    """'南方都市报 | 标题' -> '标题' when the end segment, set off by a separator other than a
    space, names the page's own source."""
    if not source or not title:
        return title
    parts = _SPLIT.split(title)
    if len(parts) > 1 and parts[0] == source and parts[1].strip():
        return "".join(parts[2:])
    if len(parts) > 1 and parts[-1] == source and parts[-2].strip():
        return "".join(parts[:-2])
    return title
