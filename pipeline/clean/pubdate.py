"""Publication dates: parse the formats Chinese pages use and pick the one that dates the page.

A page shows many dates (events, related headlines, copyright years); the publication date is
the one in a meta tag, in the byline near the headline, or in the URL, in that order of trust.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from pipeline.clean.memo import per_line

_LABELS = Path(__file__).resolve().parents[1] / "data" / "date_labels.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"[0-9０-９]")
_CENTURY = re.compile(r"[1１][9９]|[2２][0０]")  # '19' or '20', either width (_FW maps both)

has_digit = _DIGIT.search  # a line without a digit states no date: its readers skip it
has_century = _CENTURY.search  # nor one without a 19 or 20 a full date (classified_dates)

_FW = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")
_FULL = re.compile("[０-９：－／．]")  # the characters _FW maps


def half_width(text: str) -> str:
    """``text.translate(_FW)``: translated only when it holds a character _FW maps (str.translate
    looks every character up in a dict; a regex scan for those characters is several times
    faster, and most lines hold none)."""
    return text.translate(_FW) if _FULL.search(text) else text

# 2023-08-03 10:12:47 · 2023/8/3 · 2023.08.03 · 2023年8月3日 10:12 · 2023-05-30T08:00:00+08:00
# · 2023-08-0310:12 (two spans run together: the day is followed by the time)
DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(\d{1,2})(?:(?!\d)|(?=\d{1,2}[:：]\d\d))\s*日?"
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
    text = half_width(text)
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


BEIJING = timezone(timedelta(hours=8))


def not_after(iso: str | None, limit: datetime | None) -> bool:
    """False for a date later than the fetch time (a page cannot be published after it was
    fetched), both as days in Beijing, where the pages' dates are written: never the
    machine's own time zone. Without a fetch time, the limit is now."""
    if iso is None:
        return False
    day = date.fromisoformat(iso[:10])
    if day.year < 1990:
        return False
    limit = limit or datetime.now(BEIJING)
    return day <= (limit.astimezone(BEIJING) if limit.tzinfo else limit).date()


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


@lru_cache(maxsize=1)
def vocab() -> dict:
    """The date labels, words and script keys of data/date_labels.yaml, with their regexes."""
    from pipeline.clean import yamlfile

    d = yamlfile.load(_LABELS.read_text("utf-8"))
    kind = {}
    for k, words in d["labels"].items():
        for w in words:
            kind[squash(w)] = k
    d["label_kind"] = kind
    d["label_re"] = re.compile("(" + "|".join(map(re.escape, sorted(kind, key=len, reverse=True))) + ")$")
    d["after_kind"] = {w: k for k, words in d["after"].items() for w in words}
    rel = d["relative"]
    d["relative_re"] = re.compile(
        "(?P<now>" + "|".join(rel["now"]) + ")|(?P<day>" + "|".join(rel["days"]) + ")"
        r"|(?P<n>\d{1,3})\s*(?P<unit>" + "|".join(sorted(rel["units"], key=len, reverse=True)) + ")前")
    return d


def squash(s: str) -> str:
    """Without white space and in lower case: how labels are compared ('发 布 日 期' = '发布日期')."""
    return "".join(s.split()).lower()


def date_label(text: str, start: int, end: int, after: bool = True) -> str:
    """What the label around the date at text[start:end] says it is: published, generic,
    signed, generated, or '' when nothing labels it. A bare 时间/日期 right after another
    Chinese character belongs to a different compound (活动时间, 出生日期) and labels nothing.
    A word after the date ('… 发布') counts only where it ends the phrase, not in prose
    ('10月2日发表了…'); with after=False only a label before the date counts."""
    v = vocab()
    before = squash(text[max(0, start - 16):start]).rstrip(":：[]【】()（）")
    m = v["label_re"].search(before)
    if m:
        kind = v["label_kind"][m.group(1)]
        if not (kind == "generic" and m.start() > 0 and _CJK.match(before[m.start() - 1])):
            return kind
    if not after:
        return ""
    rest = text[end:end + 8].lstrip(" ）)]】")
    for w, kind in v["after_kind"].items():
        if rest.startswith(w) and not _CJK.match(rest[len(w):len(w) + 1]):
            return kind
    return ""


def classified_dates(text: str, after: bool = True) -> list[tuple[str, str]]:
    """(kind, iso) for every full date in the text, kind from date_label."""
    return list(_classified(text, after))


@per_line
def _classified(text: str, after: bool) -> tuple[tuple[str, str], ...]:
    """classified_dates, kept for a line asked about again (the date readers ask of the same
    byline and label lines several times)."""
    if not _CENTURY.search(text):  # every full date (DATE_RE, US_DATE_RE) has a 19xx or 20xx year
        return ()
    text = half_width(text)
    return tuple((date_label(text, s, e, after), iso) for s, e, iso in date_matches(text))


_MONTH_DAY = re.compile(
    r"(?<![\d\-/.年])(?:(\d{2})[-/.])?(\d{1,2})\s*[-/月]\s*"
    r"(\d{1,2})(?:(?![\d\-/.])|(?=\d{1,2}[:：]\d\d))\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：]\s*(\d{2}))?(?![\d:])")
Short = tuple[int | None, int, int, int | None, int | None]


def yearless_dates(text: str) -> list[tuple[str, Short]]:
    """(label kind, (year, month, day, hour, minute)) for the short dates a publish label
    introduces: '发布时间：10-08 09:30' (year None: it has to come from another signal of the
    page) and '发布时间：18-03-08' (a two-digit year, 2018)."""
    return list(_yearless(text))


@per_line
def _yearless(text: str) -> tuple[tuple[str, Short], ...]:
    if not _DIGIT.search(text):
        return ()
    text = half_width(text)
    out = []
    for m in _MONTH_DAY.finditer(text):
        kind = date_label(text, m.start(), m.end(), after=False)
        if kind not in ("published", "generic"):
            continue
        y = 2000 + int(m.group(1)) if m.group(1) else None
        mo, d = int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            hh = int(m.group(4)) if m.group(4) else None
            mi = int(m.group(5)) if m.group(5) else None
            out.append((kind, (y, mo, d, hh, mi)))
    return tuple(out)


def relative_ages(text: str) -> list[tuple[str, int]]:
    """Each relative date in the text as ('days', n) for 今天/昨天/前天/'3天前' (calendar days
    back) or ('seconds', n) for '3小时前' and 刚刚: it means nothing without a reference time."""
    v = vocab()
    rel = v["relative"]
    out = []
    for m in v["relative_re"].finditer(text):
        if m.group("now"):
            out.append(("seconds", 0))
        elif m.group("day"):
            out.append(("days", rel["days"][m.group("day")]))
        else:
            secs = int(m.group("n")) * rel["units"][m.group("unit")]
            out.append(("days", secs // 86400) if secs % 86400 == 0 else ("seconds", secs))
    return out


def resolve_age(age: tuple[str, int], reference: datetime) -> str:
    """The date a relative age (from relative_ages) names, counted back from the reference
    (Beijing time): a day for 昨天 or '3天前', a time for '3小时前'."""
    unit, n = age
    if unit == "days":
        return (reference.date() - timedelta(days=n)).isoformat()
    return (reference - timedelta(seconds=n)).replace(microsecond=0, tzinfo=None).isoformat() + "+08:00"


def document_dates(text: str) -> list[str]:
    """The date a government document was signed (成文日期, 发文日期): it dates the document
    itself, where a 生成日期 or the meta date only dates the web page."""
    return [iso for kind, iso in classified_dates(text) if kind == "signed"]


def labelled_dates(text: str) -> list[str]:
    """Dates a publish label introduces ('发表于 2005-07-31 12:30', '发布时间 2005/05/17',
    '时间：…'): a byline even where it sits in a footer or a line of widgets."""
    return [iso for kind, iso in classified_dates(text) if kind in ("published", "generic")]
