"""Regions: GB/T 2260 codes for the provinces, cities and counties an article names.

Names come from ``data/regions.csv`` (built from geotool-cn's admin table). Provinces and
prefecture-level cities match by full or short name (山东, 济南); counties and districts only
by full name (惠民县, never 惠民 in 利企惠民), and a county name shared by several provinces
only when its province or city is also named. Short forms that are common words (中山, 阿里,
长治) are left out of the table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from ..normalize.reference import table
from ..normalize.lexicon import Lexicon

# A name followed by these is part of a non-place name (北京大学, 山东路).
_NOT_PLACE_AFTER = re.compile(r"^(?:大学|师范|理工|交通大学|路|街|大道|银行|队|籍)")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | district
    parent: str


@cache
def _tables() -> tuple[dict[str, Region], Lexicon[tuple[Region, ...]]]:
    by_code: dict[str, Region] = {}
    by_name: dict[str, list[Region]] = {}
    for r in table("regions.csv"):
        reg = Region(r["code"], r["name"], r["level"], r["parent"])
        by_code[reg.code] = reg
        names = [reg.name] if len(reg.name) >= 3 or reg.level != "district" else []
        if r["short"]:
            names.append(r["short"])
        for n in names:
            by_name.setdefault(n, []).append(reg)
    lex = Lexicon((n, tuple(regs)) for n, regs in by_name.items())
    return by_code, lex


def region(code: str) -> Region | None:
    return _tables()[0].get(code)


def province_of(code: str) -> str:
    return code[:2] + "0000"


@lru_cache(maxsize=8192)
def mentions(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, code) for every place named in ``text``, in order (cached: statistics
    and events ask about the same sentences)."""
    by_code, lex = _tables()
    raw = [(a, b, regs) for a, b, key, regs in lex.find(text) if not _NOT_PLACE_AFTER.match(text[b: b + 4])]
    named = {r.code for _, _, regs in raw if len(regs) == 1 for r in regs}
    named_prov = {province_of(c) for c in named}
    named_city = {c[:4] + "00" for c in named}
    out = []
    for a, b, regs in raw:
        if len(regs) > 1:
            top = sorted(regs, key=lambda r: ("province", "city", "district").index(r.level))
            if top[0].level != top[1].level:
                regs = (top[0],)
            else:
                regs = tuple(r for r in regs if r.parent in named_city or province_of(r.code) in named_prov)
        if len(regs) == 1:
            out.append((a, b, regs[0].code))
    return tuple(out)


def code_for(name: str) -> str | None:
    """The code of one place name (济南, 济南市, 北京国宾酒店 → 北京), or None."""
    ms = mentions(name)
    return ms[0][2] if ms else None


def extract_region_codes(paragraphs: list[str], title: str = "") -> list[str]:
    """Codes of the places the article names, in order of first mention, without repeats."""
    seen: list[str] = []
    for text in [title, *paragraphs]:
        for _, _, code in mentions(text):
            if code not in seen:
                seen.append(code)
    return seen
