"""Synonym-spun reprints: text run through a word spinner to dodge duplicate detection.

The spinner leaves fingerprints (数字经济 → 数字化的经济, 逐渐成为 → 慢慢的变成了); a page with
several distinct ones, or a high density of them, is flagged ``spun_text``.
"""
from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "spinner_phrases.csv"
MIN_DISTINCT = 2
MIN_PER_1000 = 1.0


@cache
def _pattern() -> re.Pattern:
    with open(DATA, encoding="utf-8") as fh:
        phrases = sorted({row["spun"] for row in csv.DictReader(fh) if row["spun"]}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, phrases)))


def spinner_hits(text: str) -> list[str]:
    return _pattern().findall(text)


def is_spun(text: str) -> bool:
    hits = spinner_hits(text)
    if not hits:
        return False
    per_1000 = 1000 * len(hits) / max(1, len(text))
    return len(set(hits)) >= MIN_DISTINCT and per_1000 >= MIN_PER_1000 or len(set(hits)) >= 4
