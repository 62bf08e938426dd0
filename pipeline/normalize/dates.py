"""Dates: the publication datetime, and dates mentioned in the text with the year inferred.

A news page says ``4月8日`` and means the most recent 8 April not after the day it was
published; a page republished on 2024-02-20 about a forum on ``4月8日`` therefore means
2023-04-08. Fractions (``1/8``), scores (``6-3``) and bare numbers are never dates: a
mention needs 年/月/日 or a four-digit year with separators and a plausible month and day.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class DateMention:
    """One date in the text. ``date`` is the first day of a month/year mention unless ``end``."""

    start: int
    end: int
    raw: str
    date: date
    precision: str  # day | month | year
    kind: str  # full | yearless | month | year | span | as_of | relative
    until: date | None = None  # last day, for spans and month/year periods


def _valid(y: int, m: int, d: int) -> date | None:
    if not (1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]):
        return None
    return date(y, m, d)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def infer_year(month: int, day: int, pub: date | None) -> int | None:
    """The year of a year-less date: the publication year, or the one before when the date
    would otherwise fall after publication (more than a week: events announced ahead)."""
    if pub is None:
        return None
    y = pub.year
    d = _valid(y, month, day)
    if d is None:
        d = _valid(y - 1, month, day)  # 2月29日
        return y - 1 if d else None
    return y - 1 if (d - pub).days > 7 else y


_ANY_DIGIT = re.compile(r"\d")
_Y = r"((?:19|20)\d{2})\s*年"
_M = r"(1[0-2]|0?[1-9])\s*月"
_D = r"(3[01]|[12]\d|0?[1-9])\s*[日号]"
_NOT_NUM_BEFORE = r"(?<![\d./\-])"

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("as_of_end", re.compile(rf"截[至止到]\s*{_Y}\s*(?:{_M})?\s*(底|末|年底|年末)")),
    ("span", re.compile(rf"{_NOT_NUM_BEFORE}((?:19|20)\d{{2}})\s*(?:年)?\s*[-—–~～至到]\s*((?:19|20)\d{{2}})\s*年?(?![\d/.\-])")),
    ("iso", re.compile(rf"{_NOT_NUM_BEFORE}((?:19|20)\d{{2}})([-/.])(1[0-2]|0?[1-9])\2(3[01]|[12]\d|0?[1-9])(?:[ T]+([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?)?(?![\d])")),
    ("full", re.compile(rf"{_Y}\s*{_M}\s*{_D}")),
    ("month", re.compile(rf"{_Y}\s*{_M}(?!\s*\d)")),
    ("yearless", re.compile(rf"(?<![\d年.])(?<!年 ){_M}\s*{_D}")),
    ("year", re.compile(rf"{_NOT_NUM_BEFORE}{_Y}(?!\s*\d)")),
]


def parse_date_mentions(text: str, pub_date: date | None = None) -> list[DateMention]:
    """Every date in ``text``, left to right, without overlaps; year-less ones dated from
    ``pub_date`` (dropped when there is none)."""
    if not _ANY_DIGIT.search(text):
        return []
    return list(_mentions_cached(text, pub_date))


@lru_cache(maxsize=8192)
def _mentions_cached(text: str, pub_date: date | None) -> tuple[DateMention, ...]:
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pat in _PATTERNS:
        for m in pat.finditer(text):
            a, b = m.span()
            if not free(a, b):
                continue
            dm = _mention(kind, m, pub_date)
            if dm:
                taken.append((a, b))
                found.append(dm)
    found.sort(key=lambda d: d.start)
    return tuple(found)


def _mention(kind: str, m: re.Match, pub: date | None) -> DateMention | None:
    g = m.groups()
    a, b, raw = m.start(), m.end(), m.group(0)
    if kind == "as_of_end":
        y = int(g[0])
        if g[1]:
            d = _month_end(y, int(g[1]))
            return DateMention(a, b, raw, d, "day", "as_of")
        return DateMention(a, b, raw, date(y, 12, 31), "day", "as_of")
    if kind == "span":
        y1, y2 = int(g[0]), int(g[1])
        if y2 <= y1:
            return None
        return DateMention(a, b, raw, date(y1, 1, 1), "year", "span", date(y2, 12, 31))
    if kind == "iso":
        d = _valid(int(g[0]), int(g[2]), int(g[3]))
        return DateMention(a, b, raw, d, "day", "full") if d else None
    if kind == "full":
        d = _valid(int(g[0]), int(g[1]), int(g[2]))
        return DateMention(a, b, raw, d, "day", "full") if d else None
    if kind == "month":
        y, mo = int(g[0]), int(g[1])
        return DateMention(a, b, raw, date(y, mo, 1), "month", "month", _month_end(y, mo))
    if kind == "yearless":
        mo, dd = int(g[0]), int(g[1])
        y = infer_year(mo, dd, pub)
        d = _valid(y, mo, dd) if y else None
        return DateMention(a, b, raw, d, "day", "yearless") if d else None
    if kind == "year":
        y = int(g[0])
        return DateMention(a, b, raw, date(y, 1, 1), "year", "year", date(y, 12, 31))
    return None


_SINCE = re.compile(r"^\s*(?:起|以来|开始|至今)")
_AS_OF_MONTH = re.compile(rf"截[至止到]\s*{_Y}\s*{_M}(?!\s*\d)")


def as_of_date(text: str, pub_date: date | None = None) -> date | None:
    """The date a quantity in ``text`` refers to: an explicit 截至…, else the last day of
    the one year or month mentioned; None when the text names none or several."""
    m = _AS_OF_MONTH.search(text)
    if m:
        return _month_end(int(m.group(1)), int(m.group(2)))
    ments = [d for d in parse_date_mentions(text, pub_date)
             if d.kind != "span" and not _SINCE.match(text[d.end:]) and not text[:d.start].endswith(("自", "从"))]
    if not ments:
        return None
    for d in ments:
        if d.kind == "as_of":
            return d.date
    days = {(d.until or d.date) for d in ments}
    return days.pop() if len(days) == 1 else None


def parse_published(value: str | datetime | None) -> datetime | None:
    """The publication datetime as tz-aware Asia/Shanghai; a bare date becomes midnight."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        s = value.strip().replace("/", "-")
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            ms = parse_date_mentions(s)
            if not ms or ms[0].precision != "day":
                return None
            dt = datetime.combine(ms[0].date, time())
            tm = re.search(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", s[ms[0].end:])
            if tm:
                dt = dt.replace(hour=int(tm.group(1)) % 24, minute=int(tm.group(2)), second=int(tm.group(3) or 0))
    if dt.tzinfo is None:
        return dt.replace(tzinfo=SHANGHAI)
    return dt.astimezone(SHANGHAI)
