"""Text normalization: one form of white space, digits and Latin letters; Chinese punctuation kept.

Full-width digits and letters (２０２３, ＡＩ) become ASCII so that numbers and names match
one pattern; full-width punctuation (,。:“”) is the Chinese norm and is left alone.
Spaces that typesetting puts between Chinese and digits (``2023 年 5 月``) are removed.
"""
from __future__ import annotations

import re
import unicodedata

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH.update({0xFF05: ord("%"), 0xFF0E: ord("."), 0xFF0F: ord("/"), 0xFF0B: ord("+"), 0xFF0D: ord("-")})

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# zero-width characters and bidirectional controls (LRE/RLE/PDF/LRO/RLO, the isolates, LRM,
# RLM, ALM): invisible, and a control can make a title read backwards in a viewer
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\u061c\ufeff]")
_HAN = r"\u3400-\u9fff"
_HAN_DIGIT_SPACE = re.compile(rf"(?<=[{_HAN}]) (?=[0-9])|(?<=[0-9]) (?=[{_HAN}%])")
_HAN_HAN_SPACE = re.compile(rf"(?<=[{_HAN}，。、：；！？“”（）]) (?=[，。、：；！？”）])|(?<=[，。、：；！？“（]) (?=[{_HAN}])")


def normalize_text(text: str) -> str:
    """One line of text in canonical form (NFC, half-width digits/Latin, single spaces)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    text = _HAN_DIGIT_SPACE.sub("", text)
    return _HAN_HAN_SPACE.sub("", text)


def normalize_paragraphs(paragraphs: list[str]) -> list[str]:
    """Each paragraph normalized; paragraphs left empty are dropped."""
    out = []
    for p in paragraphs:
        for line in p.split("\n"):
            line = normalize_text(line)
            if line:
                out.append(line)
    return out
