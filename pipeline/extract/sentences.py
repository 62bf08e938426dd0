"""Sentence splitting for Chinese news text, keeping quoted speech inside one sentence."""
from __future__ import annotations

import re
from functools import lru_cache

_END = re.compile(r"[。！？!?；;]+[”’」』]?|……")
_SIMPLE = re.compile(r"[^。！？!?；;]+(?:[。！？!?；;]+[”’」』]?)?|……")


@lru_cache(maxsize=8192)
def split_sentences(paragraph: str) -> tuple[str, ...]:
    """Sentences of one paragraph; a sentence ends at 。！？; (after a closing quote if one
    follows) unless that mark is inside “…” — quoted speech stays whole. Cached: every
    extractor walks the same sentences."""
    if not any(q in paragraph for q in "“「『"):
        return tuple(s.strip() for s in _SIMPLE.findall(paragraph) if s.strip())
    out, start, depth = [], 0, 0
    i, n = 0, len(paragraph)
    while i < n:
        c = paragraph[i]
        if c in "“「『":
            depth += 1
        elif c in "”」』":
            depth = max(0, depth - 1)
            if depth == 0 and i > start and paragraph[i - 1] in "。！？!?":
                out.append(paragraph[start:i + 1].strip())
                start = i + 1
        elif depth == 0:
            m = _END.match(paragraph, i)
            if m:
                out.append(paragraph[start:m.end()].strip())
                start = i = m.end()
                continue
        i += 1
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return tuple(s for s in out if s)
