"""Publication dates: parse the formats Chinese pages use and pick the one that dates the page.

A page shows many dates (events, related headlines, copyright years); the publication date is
the one in a meta tag, in the byline near the headline, or in the URL, in that order of trust.
"""
from __future__ import annotations

import re
from datetime import date, datetime

_FW = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")

# 2023-08-03 10:12:47 · 2023/8/3 · 2023.08.03 · 2023年8月3日 10:12 · 2023-05-30T08:00:00+08:00
DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:T|\s|日)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
# 7/5/2005 9:23:57 PM: month first, as English-locale CMSs print it (day first when month > 12)
US_DATE_RE = re.compile(
    r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?![\d/])"
    r"(?:\s+(\d{1,2}):(\d\d)(?::(\d\d))?(?:\s*([AaPp])\.?[Mm]\.?)?)?")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?:(\d\d)(\d\d)(\d\d)?)?(?!\d)")
_URL = re.compile(
    r"(?<!\d)((?:19|20)\d\d)[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?<!\d)((?:19|20)\d\d)[-/_](0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/"
)


def _valid(y: int, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def to_iso(y: int, mo: int, d: int, hh: int | None = None, mi: int | None = None,
           ss: int | None = None) -> str | None:
    """'YYYY-MM-DD', or a +08:00 datetime when a valid time is given."""
    day = _valid(y, mo, d)
    if day is None:
        return None
    if hh is not None and mi is not None and hh < 24 and mi < 60 and (ss or 0) < 60:
        return datetime(y, mo, d, hh, mi, ss or 0).isoformat() + "+08:00"
    return day.isoformat()


def date_matches(text: str):
    """(start, end, iso) for every full date in the text, in order of appearance."""
    text = text.translate(_FW)
    out = []
    for m in DATE_RE.finditer(text):
        g = [int(x) if x else None for x in m.groups()]
        iso = to_iso(*g)
        if iso:
            out.append((m.start(), m.end(), iso))
    if "/" in text:
        for m in US_DATE_RE.finditer(text):
            iso = _us_iso(m)
            if iso:
                out.append((m.start(), m.end(), iso))
        out.sort()
    return out


def _us_iso(m: re.Match) -> str | None:
    a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    mo, d = (b, a) if a > 12 else (a, b)
    hh = int(m.group(4)) if m.group(4) else None
    mi = int(m.group(5)) if m.group(5) else None
    ss = int(m.group(6)) if m.group(6) else None
    half = (m.group(7) or "").lower()
    if hh is not None and half:
        if hh > 12:
            return None
        hh = hh % 12 + (12 if half == "p" else 0)
    return to_iso(y, mo, d, hh, mi, ss)


def find_dates(text: str) -> list[str]:
    """Every full (year, month, day) date in the text, ISO, in order of appearance."""
    return [iso for _, _, iso in date_matches(text)]


def parse_date(value: str) -> str | None:
    """One date from a meta/JSON-LD value: ISO, Chinese, or compact 20230530[1012]."""
    value = value.strip().translate(_FW)
    shifted = _from_zoned_iso(value)
    if shifted:
        return shifted
    found = find_dates(value)
    if found:
        return found[0]
    m = _COMPACT.search(value)
    if m:
        g = [int(x) if x else None for x in m.groups()]
        return to_iso(*g)
    if value.isdigit() and len(value) in (10, 13):  # unix epoch seconds / milliseconds
        ts = int(value) / (1000 if len(value) == 13 else 1)
        try:
            from datetime import timedelta, timezone
            dt = datetime.fromtimestamp(ts, tz=timezone(timedelta(hours=8)))
        except (OverflowError, OSError, ValueError):
            return None
        if 1995 <= dt.year <= 2100:
            return dt.replace(tzinfo=None).isoformat() + "+08:00"
    return None


def _from_zoned_iso(value: str) -> str | None:
    """An ISO datetime with an explicit zone, shifted to Beijing time (+08:00)."""
    if not re.search(r"T\d\d:\d\d.*(Z|[+-]\d\d:?\d\d)$", value):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    from datetime import timedelta, timezone
    local = dt.astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
    return local.isoformat(timespec="seconds") + "+08:00"


def date_from_url(url: str | None) -> str | None:
    """A date in a URL path (/2023-12/01/, /20231201/, t20231201_): day precision only."""
    if not url:
        return None
    for m in _URL.finditer(url):
        g = m.groups()
        y, mo, d = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
        iso = to_iso(int(y), int(mo), int(d))
        if iso:
            return iso
    return None


def not_after(iso: str | None, limit: datetime | None) -> bool:
    """False for a date later than the fetch time (a page cannot be published after it was fetched)."""
    if iso is None:
        return False
    day = date.fromisoformat(iso[:10])
    if day.year < 1990:
        return False
    if limit is None:
        limit = datetime.now()
    return day <= limit.date()


def lead_dates(paragraphs: list[str]) -> list[str]:
    """Full dates that open the lead (a dateline) or stand on a short line near the top:
    the last resort, since dates deeper in prose date events, not the page."""
    out = []
    for i, p in enumerate(paragraphs[:3]):
        head = p if len(p) < 80 else p[:40]
        if i > 0 and len(p) >= 80:
            continue
        out.extend(find_dates(head))
    return out


_PUB_LABEL = re.compile(
    r"(发表于|发布于|发布时间|发表时间|发布日期|发表日期|更新时间|更新日期|时间|日期|发布|发表|"
    r"posted|published|Posted|Published)\s*(?:on|at)?\s*[:：]?\s*$")
_PUB_AFTER = re.compile(r"^\s*(更新|发表|发布)")


_DOC_LABEL = re.compile(r"(成文日期|成文时间|成文時間|印发日期|签发日期)\s*[:：]?\s*$")


def document_dates(text: str) -> list[str]:
    """The date a government document was signed (成文日期): it dates the document itself,
    where the 发布日期 beside it only dates the web post."""
    text = text.translate(_FW)
    return [iso for start, _, iso in date_matches(text) if _DOC_LABEL.search(text[max(0, start - 8):start])]


def labelled_dates(text: str) -> list[str]:
    """Dates a publish label introduces ('发表于 2005-07-31 12:30', '发布时间 2005/05/17'):
    a byline even where it sits in a footer or a line of widgets."""
    text = text.translate(_FW)
    out = []
    for start, end, iso in date_matches(text):
        before = text[max(0, start - 8):start]
        if _PUB_LABEL.search(before) or _PUB_AFTER.match(text[end:end + 4]):
            out.append(iso)
    return out
