"""Chinese numerals, pure or mixed with Arabic digits, as exact decimals: the one numeral
reader of the package.

``一千二百万`` → 12000000, ``两`` → 2, ``十七`` → 17, ``3.9万亿`` → 3.9e12, ``1万2千`` → 12000,
``一万八`` → 18000 (a trailing digit counts in the unit below the last one), ``廿`` → 20,
``一五○`` / ``二〇二二`` (digit by digit) → 150 / 2022. Two neighbouring digits are a range
(``三四``, ``七八百``, ``三五百万``); :func:`lower_bound` reads its lower end. Characters and
values live in ``data/numerals.csv``. Measured against cn2an (tests/benchmarks/README.md):
cn2an rejects bare powers (百, 万, 万亿), 卅 and ○ and is about 5× slower a call, so the
package keeps this small reader.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from ..normalize.reference import table

_ARABIC = re.compile(r"\d+(?:\.\d+)?")


@cache
def _chars() -> dict[str, tuple[int, str]]:
    return {r["char"]: (int(r["value"]), r["kind"]) for r in table("numerals.csv")}


@cache
def numeral_chars() -> str:
    """Every numeral character, for building patterns."""
    return "".join(_chars())


def _tokens(s: str) -> list[tuple[Decimal, str]] | None:
    out: list[tuple[Decimal, str]] = []
    i = 0
    chars = _chars()
    while i < len(s):
        m = _ARABIC.match(s, i)
        if m:
            out.append((Decimal(m.group(0)), "digit"))
            i = m.end()
            continue
        hit = chars.get(s[i])
        if hit is None:
            return None
        out.append((Decimal(hit[0]), hit[1]))
        i += 1
    return out


def cn_value(s: str) -> Decimal | None:
    """The value of a numeral string, or None when it is not one."""
    s = s.replace(",", "")
    toks = _tokens(s)
    if not toks:
        return None
    if len(toks) > 1 and all(k == "digit" and v < 10 for v, k in toks) and not _ARABIC.search(s):
        if len(toks) == 2:
            return None  # 六八年, 五七: an abbreviated year or no number (neighbours are lower_bound's)
        return Decimal("".join(str(int(v)) for v, _ in toks))  # 一五○, 二〇二二
    total, section, cur = Decimal(0), Decimal(0), None
    last_power, top, prev = None, Decimal(0), None
    for v, kind in toks:
        if kind == "digit":
            if cur is not None and cur != 0 and v != 0:
                return None  # 五五 without a power between: not one number
            cur = v if v != 0 or cur is None else cur
            if v == 0:
                last_power = None
        elif kind == "tens":
            section += v
            cur, last_power = None, None
        elif kind == "power":
            section += (cur if cur is not None else Decimal(1)) * v
            cur, last_power = None, v
        elif prev == "section":  # 万亿: the powers multiply
            total *= v
            top = max(top, v)
        else:  # 万 亿 close a section
            part = (section + (cur or 0)) or Decimal(1)
            if v > top:
                total, top = (total + part) * v, v
            else:
                total += part * v
            section, cur, last_power = Decimal(0), None, v
        prev = kind
    if cur is not None and last_power is not None and last_power >= 100 and not _ARABIC.fullmatch(s[-1:] or ""):
        cur *= last_power / 10  # 一万八, 两千五
    return total + section + (cur or 0)


def cn_int(s: str) -> int | None:
    """An integral numeral (editions, counts) as an int; 首 is 1."""
    if s == "首":
        return 1
    v = cn_value(s)
    return int(v) if v is not None and v == v.to_integral_value() and v > 0 else None


_PAIRS = re.compile(r"^([一二两三四五六七八九])([两二三四五六七八九])")
_LOOSE_PAIRS = ("一两", "三五")  # 一两页, 三五百万


def lower_bound(s: str) -> tuple[Decimal, bool] | None:
    """(value, is_range) of a numeral that may open with two neighbouring digits
    (``三四`` → 3, ``七八百`` → 700, ``三五百万`` → 3e6, ``一两`` → 1)."""
    m = _PAIRS.match(s)
    if m and (len(s) == 2 or _chars().get(s[2], (0, "digit"))[1] != "digit"):
        a, b = (_chars()[c][0] for c in m.groups())
        if b == a + 1 or m.group(0) in _LOOSE_PAIRS:
            v = cn_value(m.group(1) + s[2:])
            return (v, True) if v is not None else None
    v = cn_value(s)
    return (v, False) if v is not None else None


def power_suffix(s: str) -> Decimal:
    """The factor of the powers that close a numeral (``6万`` → 1e4, ``六十`` → 10, ``65`` → 1),
    which a bare lower end of a range shares (``1-2万`` → 1e4, ``五、六十`` → 50)."""
    m = re.search(f"[{''.join(c for c, (_, k) in _chars().items() if k in ('power', 'section'))}]+$", s)
    if not m or len(m.group(0)) == len(s):
        return Decimal(1)
    f = Decimal(1)
    for c in m.group(0):
        f *= _chars()[c][0]
    return f
