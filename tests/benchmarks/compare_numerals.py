"""Why Chinese numerals are read by ``pipeline/extract/numerals.py`` and not by cn2an: both on
the numerals statistics meet in news text (bare powers, 廿/卅, ○ written for 〇, mixed Arabic),
for correctness and time a call. Needs ``pip install cn2an`` (not a dependency).

    python tests/benchmarks/compare_numerals.py
"""
from __future__ import annotations

import time

from pipeline.extract.numerals import cn_value

CASES = {
    "两": 2, "十": 10, "十七": 17, "二十三": 23, "一百": 100, "一百零八": 108, "一千零五": 1005, "四百": 400,
    "六十五": 65, "两百": 200, "两千": 2000, "三千五百": 3500, "十万": 100000, "两万": 20000, "一亿": 1e8,
    "一千二百万": 12000000, "三百五十万": 3.5e6, "一亿五千万": 1.5e8, "一万八千": 18000, "二〇二二": 2022,
    "一五〇": 150, "3.9万亿": 3.9e12, "5.1亿": 5.1e8, "1万2千": 12000, "83460万": 834600000,
    # colloquial and news forms
    "百": 100, "千": 1000, "万": 10000, "万亿": 1e12, "廿": 20, "卅": 30, "一五○": 150,
    "一万八": 18000, "两千五": 2500,
}


def _score(fn) -> tuple[int, list[str], float]:
    ok, bad = 0, []
    for s, want in CASES.items():
        try:
            got = fn(s)
        except Exception:  # cn2an raises on what it cannot read
            got = None
        if got is not None and abs(float(got) - want) <= 1e-9 * max(1.0, want):
            ok += 1
        else:
            bad.append(f"{s}→{got}")
    words = list(CASES)
    t = time.perf_counter()
    n = 0
    for _ in range(300):
        for s in words:
            try:
                fn(s)
            except Exception:
                pass
            n += 1
    return ok, bad, (time.perf_counter() - t) / n * 1e6


def main() -> None:
    rows = [("extract/numerals.py", cn_value)]
    try:
        import cn2an

        rows.append(("cn2an smart", lambda s: cn2an.cn2an(s, "smart")))
    except ImportError:
        print("cn2an not installed: pip install cn2an")
    for name, fn in rows:
        ok, bad, us = _score(fn)
        print(f"{name:22s} correct {ok}/{len(CASES)}  {us:.1f} µs a call  wrong: {', '.join(bad) or '-'}")


if __name__ == "__main__":
    main()
