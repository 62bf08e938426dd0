"""Sources: the canonical outlet behind what a page says its source is.

``source_raw`` is what the page printed; ``source`` the registry's canonical name (aliases
and domains in ``data/sources.csv``). A gambling or spam brand printed as the source is
never taken: the page is flagged ``spam_source`` and the real outlet is recovered from the
text where it names itself (``新黄河记者从现场获悉``). A page whose site is not its source, or
that carries a reprint disclaimer, is flagged ``reprint``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from .reference import split_list, table

SOURCE_TYPES = ("central_media", "local_media", "government", "research", "company", "portal", "unknown")


@dataclass
class SourceInfo:
    source: str | None
    source_raw: str | None
    type: str = "unknown"
    site: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Outlet:
    name: str
    type: str
    domains: tuple[str, ...]


@cache
def _registry() -> tuple[dict[str, _Outlet], tuple[tuple[str, _Outlet], ...]]:
    """Name/alias (lower-case) → outlet, and (domain, outlet) pairs longest first."""
    by_name: dict[str, _Outlet] = {}
    domains = []
    for row in table("sources.csv"):
        o = _Outlet(row["name"], row["type"], tuple(split_list(row["domains"])))
        for n in [row["name"], *split_list(row["aliases"])]:
            by_name.setdefault(n.lower(), o)
        domains.extend((d.lower(), o) for d in o.domains)
    domains.sort(key=lambda x: -len(x[0]))
    return by_name, tuple(domains)


@cache
def _name_pattern() -> re.Pattern:
    names = sorted(_registry()[0], key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names), re.I)


@cache
def _spam_pattern() -> re.Pattern:
    pats = sorted((r["pattern"] for r in table("spam_sources.csv")), key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in pats), re.I)


_SELF_NAMING = r"(?:记者|讯|报道|消息|客户端|融媒体|见习记者|通讯员|独家|获悉)"
_REPRINT_DISCLAIMER = re.compile(
    r"(?:凡(?:本网)?注明[“\"]?来源|转载(?:此文|本文)?(?:是)?出于传递更多信息|均(?:来|转)?自于?互联网|"
    r"文章来源于网络|版权归原作者|不代表本(?:网|站)(?:的)?观点|属第三方汇集推荐平台)"
)
_RAW_CLEAN = re.compile(r"^(?:来源|来自|稿源|转自|出处|source)\s*[:：]\s*|[\s|｜/]+$", re.I)
_RAW_SPLIT = re.compile(r"\s*[|｜/／╱、;；]\s*|\s{2,}|\s+(?:作者|编辑|记者|责任编辑)")


def host(url: str | None) -> str | None:
    """The page's host name (lower-case, without ``www.``), or None."""
    if not url:
        return None
    try:
        h = urlsplit(url).hostname
    except ValueError:
        return None
    if not h:
        return None
    return h[4:] if h.startswith("www.") else h


def lookup(name: str | None) -> _Outlet | None:
    """The registry outlet a source name refers to (exact name or alias, then a contained one)."""
    if not name:
        return None
    by_name = _registry()[0]
    o = by_name.get(name.strip().lower())
    if o:
        return o
    m = _name_pattern().search(name)
    return by_name[m.group(0).lower()] if m and len(m.group(0)) >= 2 else None


def by_domain(h: str | None) -> _Outlet | None:
    if not h:
        return None
    for d, o in _registry()[1]:
        if h == d or h.endswith("." + d):
            return o
    return None


def is_spam(name: str | None) -> bool:
    """A gambling, betting or spam brand (``米乐m6体育官网``)."""
    return bool(name) and bool(_spam_pattern().search(name))


def guess_type(name: str | None) -> str:
    """Type of an outlet the registry does not know, from how its name ends."""
    if not name:
        return "unknown"
    if re.search(r"(?:人民政府|政府|办公厅|委员会|局|厅|部|委|办|政务网|政府网)$", name):
        return "government"
    if re.search(r"(?:研究院|研究所|研究中心|大学|学院|智库)$", name):
        return "research"
    if re.search(r"(?:公司|集团)$", name):
        return "company"
    if re.search(r"(?:日报|晚报|早报|都市报|商报|时报|报|电视台|广播电视台|融媒体中心|新闻|客户端)$", name):
        return "local_media"
    if re.search(r"(?:网|在线|门户|资讯|头条)$", name):
        return "portal"
    return "unknown"


def clean_raw(source_raw: str | None) -> str | None:
    """The source as printed, without its label and trailing furniture; of several names
    (`石佳/中国青年报`), the first one that names an outlet."""
    if not source_raw:
        return None
    s = _RAW_CLEAN.sub("", source_raw.strip()).strip()
    if not s:
        return None
    parts = [p.strip() for p in _RAW_SPLIT.split(s) if p and p.strip()]
    if not parts:
        return None
    # `石佳/中国青年报`: the writer comes first, the outlet after the slash
    return next((p for p in parts if lookup(p) or guess_type(p) != "unknown"), parts[0])


def recover_from_text(body: str, head_chars: int = 600) -> str | None:
    """The outlet a text names as its own (``新黄河记者``, ``据人民日报报道``) near its start."""
    head = body[:head_chars]
    for start, end, key, outlet in _name_lexicon().find(head):
        after = head[end: end + 6]
        before = head[max(0, start - 2): start]
        if re.match(_SELF_NAMING, after) or before.endswith("据") and "报道" in head[end: end + 8]:
            return outlet.name
    return None


@cache
def _name_lexicon():
    from .lexicon import Lexicon

    return Lexicon((n, o) for n, o in _registry()[0].items() if len(n) >= 2)


# The look-behind makes a match start only where an address can start: without it, long
# runs of letters in scripts and styles cost quadratic time.
_EMAIL_DOMAIN = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")


def contact_domain_outlet(page_text: str) -> str | None:
    """The registry outlet whose domain all the page's contact e-mails share: a press
    release that gives no source line is its contacts' organization's (caict.ac.cn →
    中国信息通信研究院)."""
    if "@" not in (page_text or ""):
        return None
    outlets = {by_domain(m.group(1).lower()) for m in _EMAIL_DOMAIN.finditer(page_text)}
    if len(outlets) == 1:
        o = outlets.pop()
        return o.name if o else None
    return None


def has_reprint_disclaimer(text: str) -> bool:
    return bool(_REPRINT_DISCLAIMER.search(text))


def resolve(source_raw: str | None, body: str, url: str | None = None, page_text: str = "") -> SourceInfo:
    """Canonical source, type, site and flags for a page.

    ``page_text`` is the whole raw page (boilerplate included), searched only for a reprint
    disclaimer, which the cleaner rightly removes from the body."""
    raw = clean_raw(source_raw)
    flags: list[str] = []
    site = host(url)
    site_outlet = by_domain(site)
    name = raw
    if raw and is_spam(raw):
        flags.append("spam_source")
        name = recover_from_text(body)
        if name:
            flags.append("reprint")
    elif not raw:
        name = recover_from_text(body) or (site_outlet.name if site_outlet else None) or contact_domain_outlet(page_text)
    if name:
        from pipeline.normalize.script import to_simplified

        name = to_simplified(name)  # 新華網 and 新华网 are one source
    outlet = lookup(name)
    source = outlet.name if outlet else name
    stype = outlet.type if outlet else guess_type(source)
    disclaimer = has_reprint_disclaimer(page_text) if page_text else False
    if "reprint" not in flags and source and (
        disclaimer or (site and (site_outlet is None or site_outlet.name != source) and not _site_matches(site, outlet))
    ):
        flags.append("reprint")
    return SourceInfo(source, source_raw, stype if stype in SOURCE_TYPES else "unknown", site, flags)


def _site_matches(site: str, outlet: _Outlet | None) -> bool:
    return bool(outlet) and any(site == d or site.endswith("." + d) for d in outlet.domains)
