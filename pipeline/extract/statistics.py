"""Statistics: every quantity with a unit, fully scaled, with its subject, qualifier, as-of
date and region.

``3.9万亿元`` → 3.9e12 元; ``5.1亿余次`` → 5.1e8 次 qualifier ``>``; ``90%以上`` → 0.9 ``>=``;
``1/8`` → 0.125 and ``三分之一``, ``六成`` (shares, unit %); ``第6位`` → 6 位; ``从78位上升到43位`` → two rows (raw ``从78位`` and ``上升到43位``), dated by
the span in the sentence when there is one (2012–2022). Units are those of
``data/units.csv``; a number with no unit there (years, ``5G``, ``数字政府2.0``) is not a
statistic. The subject is the clause before the number (qualifier words and leading time
phrases removed), or the phrase after it when nothing stands before (``90%以上的政务服务…``).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache

from ..normalize.dates import as_of_date, parse_date_mentions
from ..normalize.reference import table
from . import regions
from .events import cn_number
from .sentences import split_sentences

_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
_SCALE_TEXT = {k: int(v) for k, v in _SCALE.items()}
_QUAL_BEFORE = {
    "达到": "=", "高达": "=", "达": "=",
    "超过": ">", "超": ">", "突破": ">", "逾": ">", "高于": ">", "多于": ">", "大于": ">",
    "不少于": ">=", "至少": ">=",
    "近": "~", "接近": "~", "约": "~", "大约": "~", "将近": "~",
    "不足": "<", "不到": "<", "低于": "<", "少于": "<", "小于": "<",
}
_QUAL_AFTER = {"以上": ">=", "左右": "~", "以下": "<", "以内": "<"}
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


@cache
def _pattern() -> re.Pattern:
    units = "|".join(re.escape(u) for u in _units())
    qb = "|".join(sorted(map(re.escape, _QUAL_BEFORE), key=len, reverse=True))
    scales = "|".join(sorted(map(re.escape, _SCALE), key=len, reverse=True))
    return re.compile(
        rf"(?P<qb>{qb})?\s*(?<![\d.,第])(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<more1>余|多)?(?P<scale>{scales})?(?P<more2>余|多)?"
        rf"\s*(?P<unit>{units})(?![A-Za-z亿万])(?P<qa>以上|以下|以内|左右)?"
        rf"|(?P<qb2>{qb})(?P<scale2>{scales})(?P<unit2>{units})"
        rf"|第(?P<rank>\d+)位"
        rf"|(?<![\d/])(?P<fn>\d{{1,3}})/(?P<fd>\d{{1,3}})(?![\d/])"
        rf"|(?P<qb3>{qb})?(?P<cfd>[一二三四五六七八九十百千]+)分之(?P<cfn>[一二三四五六七八九十]+)"
        rf"|(?P<qb4>{qb})?(?P<cheng>[0-9一二三四五六七八九]|十)成(?P<qa4>以上|以下|左右|多)?"
    )


_CHANGE = re.compile(r"从(\d+(?:\.\d+)?)(位|名|%)[^,，。;；]{0,6}?(?:上升|提升|提高|下降|跃升|攀升|增长|降)(?:到|至)(\d+(?:\.\d+)?)(位|名|%)")
_HAS_NUMBER = re.compile(r"[\d万亿千成分]")
_CLAUSE_END = re.compile(r"[,，。;；:：!！?？]")
_YEAR_AFTER = re.compile(r"^\s*年")


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


def parse_quantity(m: re.Match) -> tuple[float, str, str] | None:
    """(value, unit, qualifier) of one match of the quantity pattern."""
    g = m.groupdict()
    if g["cfd"]:
        n, d = cn_number(g["cfn"]), cn_number(g["cfd"])
        return (n / d, "%", _QUAL_BEFORE.get(g["qb3"] or "", "=")) if n and d and n < d else None
    if g["cheng"]:
        tenths = int(g["cheng"]) if g["cheng"].isdigit() else cn_number(g["cheng"])
        qual = _QUAL_AFTER.get(g["qa4"] or "", ">" if g["qa4"] == "多" else _QUAL_BEFORE.get(g["qb4"] or "", "="))
        return (tenths / 10, "%", qual) if tenths and tenths <= 10 else None
    if g["fn"]:
        n, d = int(g["fn"]), int(g["fd"])
        return (n / d, "%", "=") if 0 < n < d else None
    if g["rank"]:
        return float(g["rank"]), "位", "="
    if g["scale2"]:
        return _SCALE[g["scale2"]], g["unit2"], _QUAL_BEFORE[g["qb2"]]
    value = Decimal(g["num"].replace(",", "")) * Decimal(_SCALE_TEXT[g["scale"]] if g["scale"] else 1)
    unit = g["unit"]
    if unit == "%":
        value /= 100
    value = float(value)
    qual = "="
    if g["qb"]:
        qual = _QUAL_BEFORE[g["qb"]]
    if g["more1"] or g["more2"]:
        qual = ">"
    if g["qa"]:
        qual = _QUAL_AFTER[g["qa"]]
    return value, unit, qual


def extract_statistics(paragraphs: list[str], pub_date: date | None = None) -> list[dict]:
    """Rows {subject, value, unit, qualifier, raw, as_of, region_code, evidence} in text order."""
    rows: list[dict] = []
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
                if any(a < e and b > s for s, e in taken + dates) or _YEAR_AFTER.match(sent[b:]):
                    continue
                q = parse_quantity(m)
                if q is None:
                    continue
                value, unit, qual = q
                if value == 0:  # 0人参与, 0条评论: page widgets, not statistics
                    continue
                as_of, reg = _context(sent, a, pub_date, places)
                raw = m.group(0).strip()
                if any(r["raw"] == raw and r["evidence"] == sent for r in rows[-12:]):
                    continue  # 1人1次…1人2次: the same figure twice in a sentence is one row
                rows.append({"subject": _subject(sent, a, b), "value": value, "unit": unit, "qualifier": qual,
                             "raw": raw, "as_of": as_of, "region_code": reg, "evidence": sent})
    return rows
