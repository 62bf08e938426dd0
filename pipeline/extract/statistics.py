"""Statistics: every quantity with a unit, fully scaled, with its subject, qualifier, as-of
date and region (GUIDELINES.md of the records bench).

``3.9万亿元`` → 3.9e12 元; ``5.1亿余次`` → 5.1e8 次 qualifier ``>``; ``90%以上`` → 0.9 ``>=``;
``1/8`` → 0.125 and ``三分之一``, ``百分之三十``, ``六成``, ``一半`` (shares, unit %); ``第6位`` →
6 位; ``从78位上升到43位`` → two rows (raw ``从78位`` and ``上升到43位``), dated by the span in the
sentence when there is one (2012–2022). Chinese numerals are read by ``numerals`` (``两名``,
``十余人``, ``一千二百万元``); ages (``65岁``, ``50来岁``) and durations (``十年``, ``半年``,
``一年半``) are quantities; a range gives its lower bound with ``>=`` (``5-10分钟``, ``七八百米``,
``五、六十岁``, ``一到两成``). Units and measure words are those of ``data/units.csv``; a number
with no unit there (``5G``, ``数字政府2.0``) is not a statistic, nor is a calendar year
(``2022年``, ``二〇二二年``, ``90年代``, ``三年级``), an ordinal (``第十届``, ``五次会议`` after
届), a bare ``一``/``二`` before a measure word (``一个``, ``二本``: an article or a prefix) or a bare
power without a qualifier (``千家万户``). A figure written again in the article is the same
fact again and gives one row. The subject is the clause before the number (qualifier words
and leading time phrases removed), or the phrase after it when nothing stands before
(``90%以上的政务服务…``).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache

from ..normalize.dates import as_of_date, parse_date_mentions
from ..normalize.reference import table
from . import regions
from .numerals import cn_value, lower_bound, numeral_chars, power_suffix
from .sentences import split_sentences

_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
_QUAL_BEFORE = {
    "达到": "=", "高达": "=", "达": "=",
    "超过": ">", "超": ">", "突破": ">", "逾": ">", "高于": ">", "多于": ">", "大于": ">",
    "不少于": ">=", "至少": ">=",
    "近": "~", "接近": "~", "约": "~", "大约": "~", "将近": "~",
    "不足": "<", "不到": "<", "低于": "<", "少于": "<", "小于": "<",
}
_QUAL_POWER = {"上": ">=", "过": ">"}  # 上万人, 过半数: only before a bare power or 半
_QUAL_AFTER = {"以上": ">=", "左右": "~", "以下": "<", "以内": "<", "出头": ">", "多": ">", "余": ">"}
_LEADING = re.compile(
    r"^(?:截[至止到][^,，]{0,12}?(?:底|末|月|日)|(?:19|20)\d{2}年(?:\d{1,2}月)?(?:底|末|以来)?|去年|今年|目前|当前|其中|同时|此外|"
    r"另外|累计|全年|近年来|自\S{0,8}?起|从|在|共|已|而|并|且|和|与|及|，|,)+"
)
_TRAILING = re.compile(r"(?:已经|已|累计|共计|共|总计|合计|分别|均|都|将|也|还|达到|达|高达|为|是|有|实现|占|约|超过|突破|"
                       r"超|逾|近|接近|不足|不到|低于|至少|不少于|上升到|提高到|增长到|增至|增长|增加|减少|下降|提升|降至|"
                       r"压缩至|缩短至|由|从|了)+$")


@cache
def _units() -> tuple[str, ...]:
    return tuple(sorted((r["unit"] for r in table("units.csv")), key=len, reverse=True))


_SEP = r"[-~～—–－至到]"
_DASHES = re.compile(r"[~～—–－]")
_MORE = {"多": ">", "余": ">", "几": ">", "来": "~"}


@cache
def _pattern() -> re.Pattern:
    units = "|".join(re.escape(u) for u in _units())
    qb = "|".join(sorted(map(re.escape, _QUAL_BEFORE), key=len, reverse=True))
    cn = numeral_chars()
    arabic = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    num = rf"(?:(?:{arabic})(?:[{cn}](?:{arabic}|[{cn}])*)?|[{cn}]+)"
    start = rf"(?<![\d.,第{cn}A-Za-z几数])(?<!星期)(?<![周初])"  # 几十个, 数百人: no figure
    digit = "[0-9一二两三四五六七八九]|十"
    first = "".join(sorted({w[0] for w in (*_QUAL_BEFORE, *_QUAL_POWER)} | set(cn) | set("0123456789第半")))
    return re.compile(
        rf"(?=[{re.escape(first)}])(?:(?P<qbr>{qb})?{start}(?P<r1>{num})(?P<ru>{units})(?:{_SEP})(?P<r2>{num})(?P=ru)(?P<qar>以上|以下|左右)?"
        rf"|(?P<qb>{qb}|[上过](?=[百千万亿]))?{start}(?P<num>{num})(?:(?P<sep>{_SEP}|、)(?P<num2>{num}))?(?P<more1>多|余|几|来)?"
        rf"(?:个?(?P<scale>万亿|千亿|百亿|亿|千万|百万|万))?(?P<more2>多|余)?(?P<half1>个半)?"
        rf"\s*(?P<unit>{units})(?![A-Za-z亿万])(?P<half2>半)?(?P<qa>以上|以下|以内|左右|出头|多|余)?"
        rf"|(?P<qb2>{qb})(?P<scale2>万亿|千亿|百亿|亿|千万|百万|万)(?P<unit2>{units})"
        rf"|第(?P<rank>{num})(?:位|名)(?!次)"
        rf"|第(?P<rank2>{num})(?=[,，。;；、)）]|$)"
        rf"|(?<![\d/])(?P<fn>\d{{1,3}})/(?P<fd>\d{{1,3}})(?![\d/])"
        rf"|(?P<qb3>{qb})?(?P<cfd>[{cn}]+)分之(?P<cfn>[{cn}]+|\d+(?:\.\d+)?)(?:[到至~-](?P<cfn2>[{cn}]+|\d+(?:\.\d+)?))?(?P<qa3>以上|以下|左右)?"
        rf"|(?P<qb4>{qb})?(?P<cheng>{digit})(?:[到至~-](?P<cheng2>{digit}))?成(?!不变|员|本|立|功|果|绩|熟|长|都|交)(?P<qa4>以上|以下|左右|多)?"
        rf"|(?P<qb5>{qb}|过(?=半))?(?<!另)(?P<halfshare>一半|半数)(?P<qa5>以上|左右)?"
        rf"|(?P<qb6>{qb})?(?<![上下前后大多一])半(?P<hunit>年|天|个月|个小时|小时)(?P<qa6>多)?)"
    )


_CHANGE = re.compile(r"从(\d+(?:\.\d+)?)(位|名|%)[^,，。;；]{0,6}?(?:上升|提升|提高|下降|跃升|攀升|增长|降)(?:到|至)(\d+(?:\.\d+)?)(位|名|%)")
_HAS_NUMBER = re.compile(r"[\d零〇○一二两三四五六七八九十廿卅百千万亿成分半]")
_CLAUSE_END = re.compile(r"[,，。;；:：!！?？]")


def _subject(sentence: str, start: int, end: int) -> str:
    left_start = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    left = sentence[left_start:start].strip()
    left = _TRAILING.sub("", _LEADING.sub("", left)).strip()
    m = _CLAUSE_END.search(sentence, end)
    right = sentence[end: m.start() if m else len(sentence)]
    right = re.sub(r"^(?:以上|以下|左右|多|余)?的?", "", right).strip()[:24]
    if len(left) >= 4 and not left.endswith(("等", "的")) or not right:
        return left
    return right


def _clause_bounds(sentence: str, start: int) -> tuple[int, int]:
    a = max((m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)), default=0)
    m = _CLAUSE_END.search(sentence, start)
    return a, (m.start() if m else len(sentence))


def _context(sentence: str, start: int, pub: date | None, places) -> tuple[date | None, str | None]:
    a, b = _clause_bounds(sentence, start)
    clause = sentence[a:b]
    as_of = as_of_date(clause, pub) or as_of_date(sentence[:b], pub)
    reg = [c for s, e, c in places if s >= a and e <= b] or [c for s, e, c in places if e <= b]
    return as_of, (reg[-1] if reg else None)


def _qual(before: str | None, after: str | None, default: str = "=") -> str:
    if after:
        return _QUAL_AFTER[after]
    return _QUAL_BEFORE.get(before or "") or _QUAL_POWER.get(before or "", default)


_CALENDAR_AFTER = re.compile(r"^(?:级|代|度|份|均|[0-9一二三四五六七八九十]{1,2}月)")
_RANK_BEFORE = re.compile(r"(?:位居|位列|排名|排在|排行|名列|居)[^,，。;；]{0,8}$")
_SESSION_AFTER = re.compile(r"^(?:会议|全会|全体会议)")


def _is_calendar(num: str, unit: str, after: str) -> bool:
    """2022年, 二〇二二年, 19年3月, 三年级, 90年代: a year of the calendar, not a span."""
    if unit != "年":
        return False
    if _CALENDAR_AFTER.match(after):
        return True
    digits = num.replace(",", "")
    if digits.isdigit():
        return len(digits) == 4 and 1000 <= int(digits) <= 2999
    return len(num) >= 3 and all(c in "零〇○一二三四五六七八九" for c in num)


def _bare_power(num: str) -> bool:
    return all(c in "百千万亿" for c in num)


def parse_quantity(m: re.Match, after: str = "", before: str = "") -> tuple[float, str, str] | None:
    """(value, unit, qualifier) of one match of the quantity pattern; ``after`` and ``before``
    are the text around it (a 年 followed by 级 or a month is a calendar year; 届…次会议 an
    ordinal session)."""
    g = m.groupdict()
    if g["r1"]:  # 10岁至15岁: the lower bound
        if _is_calendar(g["r1"], g["ru"], after) or _is_calendar(g["r2"], g["ru"], after):
            return None
        lo = cn_value(g["r1"])
        if lo is None or cn_value(g["r2"]) is None:
            return None
        return float(lo / 100 if g["ru"] == "%" else lo), g["ru"], ">=" if not g["qar"] else _QUAL_AFTER[g["qar"]]
    if g["cfd"]:
        n, d = cn_value(g["cfn"]), cn_value(g["cfd"])
        if g["cfn2"]:
            return (float(n / d), "%", ">=") if n is not None and d and 0 < n <= d else None
        return (float(n / d), "%", _qual(g["qb3"], g["qa3"])) if n is not None and d and 0 < n <= d else None
    if g["cheng"]:
        tenths = cn_value(g["cheng"])
        if g["cheng2"]:
            return (float(tenths) / 10, "%", ">=") if tenths and tenths <= 10 else None
        qual = _qual(g["qb4"], g["qa4"])
        return (float(tenths) / 10, "%", qual) if tenths and tenths <= 10 else None
    if g["halfshare"]:
        return 0.5, "%", _qual(g["qb5"], g["qa5"])
    if g["hunit"]:
        return 0.5, g["hunit"], ">" if g["qa6"] else _QUAL_BEFORE.get(g["qb6"] or "", "=")
    if g["fn"]:
        n, d = int(g["fn"]), int(g["fd"])
        return (n / d, "%", "=") if 0 < n < d else None
    if g["rank2"]:  # 位居全国第一, 位列第四: a rank when a rank verb stands before it
        v = cn_value(g["rank2"])
        return (float(v), "位", "=") if v and _RANK_BEFORE.search(before) else None
    if g["rank"]:
        v = cn_value(g["rank"])
        return (float(v), "位", "=") if v else None
    if g["scale2"]:
        return _SCALE[g["scale2"]], g["unit2"], _QUAL_BEFORE[g["qb2"]]
    num, unit = g["num"], g["unit"]
    if _is_calendar(num, unit, after) or (g["num2"] and _is_calendar(g["num2"], unit, after)):
        return None
    if unit == "次" and _SESSION_AFTER.match(after) and "届" in before:
        return None  # 十三届人大五次会议: an ordinal session
    if unit == "周" and after.startswith("年"):
        return None  # 成立十周年: an anniversary
    qual = "="
    if g["num2"]:
        if g["sep"] == "、" and not (re.fullmatch(f"[{numeral_chars()}]{{1,3}}", num)
                                     and re.fullmatch(f"[{numeral_chars()}]{{1,3}}", g["num2"])):
            return None  # 1、2 are list items
        lo, hi = cn_value(num), cn_value(g["num2"])
        if lo is None or hi is None:
            return None
        if not any(c in "十百千万亿" for c in num):
            lo *= power_suffix(g["num2"])
        value, qual = lo, ">="
    else:
        if num == "一" and not any(g[k] for k in ("qb", "qa", "more1", "more2", "half1", "half2", "scale")):
            return None  # 一个, 一家, 一年一度, 重要一年: an article or a phrase, not a figure
        if num == "二":
            return None  # 二本, 二元结构, 二级: a rank or a prefix; a count is written 两
        if _bare_power(num) and not (g["qb"] or g["qa"] or g["more1"] or g["more2"]):
            return None  # 千家万户, 百度, 万人空巷
        lb = lower_bound(num)
        if lb is None:
            return None
        value, ranged = lb
        if ranged:
            qual = ">="
    if g["scale"]:
        value *= int(_SCALE[g["scale"]])
    if g["half1"] or g["half2"]:
        value += Decimal("0.5")
    if unit == "%":
        value /= 100
    if g["qb"] and qual == "=":
        qual = _QUAL_BEFORE.get(g["qb"]) or _QUAL_POWER[g["qb"]]
    more = g["more1"] or g["more2"]
    if more and qual == "=":
        qual = _MORE[more]
    if g["qa"] and qual == "=":
        qual = _QUAL_AFTER[g["qa"]]
    return float(value), unit, qual


def extract_statistics(paragraphs: list[str], pub_date: date | None = None) -> list[dict]:
    """Rows {subject, value, unit, qualifier, raw, as_of, region_code, evidence} in text order."""
    rows: list[dict] = []
    seen: set[str] = set()
    for para in paragraphs:
        if not _HAS_NUMBER.search(para):
            continue
        para_places = regions.mentions(para)
        offset = 0
        for sent in split_sentences(para):
            taken: list[tuple[int, int]] = []
            at = para.find(sent, offset)
            offset = at + len(sent) if at >= 0 else offset
            if not _HAS_NUMBER.search(sent):
                continue
            places = [(s - at, e - at, c) for s, e, c in para_places if at >= 0 and at <= s and e <= at + len(sent)]
            mentioned = parse_date_mentions(sent, pub_date)
            dates = [(d.start, d.end) for d in mentioned]
            for m in _CHANGE.finditer(sent):
                span = next((d for d in mentioned if d.kind == "span"), None)
                subj = _subject(sent, m.start(), m.start())
                as_of, reg = _context(sent, m.start(), pub_date, places)
                mid = m.group(0).index(m.group(2)) + len(m.group(2))
                for val, unit, when, raw in (
                        (m.group(1), m.group(2), span.date if span else None, m.group(0)[:mid]),
                        (m.group(3), m.group(4), span.until if span else None, m.group(0)[mid:])):
                    v = float(val) / (100 if unit == "%" else 1)
                    rows.append({"subject": subj, "value": v, "unit": unit, "qualifier": "=", "raw": raw,
                                 "as_of": when or as_of, "region_code": reg, "evidence": sent})
                taken.append(m.span())
            for m in _pattern().finditer(sent):
                a, b = m.span()
                if any(a < e and b > s for s, e in taken + dates):
                    continue
                q = parse_quantity(m, sent[b:b + 4], sent[max(0, a - 12):a])
                if q is None:
                    continue
                value, unit, qual = q
                if value == 0:  # 0人参与, 0条评论: page widgets, not statistics
                    continue
                as_of, reg = _context(sent, a, pub_date, places)
                raw = m.group(0).strip()
                key = _DASHES.sub("-", raw)
                if key in seen:
                    continue  # a figure written again is the same fact again (GUIDELINES: once)
                seen.add(key)
                rows.append({"subject": _subject(sent, a, b), "value": value, "unit": unit, "qualifier": qual,
                             "raw": raw, "as_of": as_of, "region_code": reg, "evidence": sent})
    return rows
