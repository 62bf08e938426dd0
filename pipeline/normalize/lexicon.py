"""Leftmost-longest dictionary matching, for place names, vocabulary terms and outlet names.

A regular expression of thousands of names (flat, or shaped as a trie) tries its branches
one by one at each position and ran 2x slower here; instead a character class of the
names' first characters finds candidate positions inside the regex engine and a dictionary
keyed by the first two characters gives the few names to try there.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lexicon(Generic[V]):
    def __init__(self, entries: Iterable[tuple[str, V]]):
        index: dict[str, list[tuple[str, V]]] = {}
        singles: dict[str, V] = {}
        for key, value in entries:
            if len(key) == 1:
                singles.setdefault(key, value)
            elif key:
                index.setdefault(key[:2], []).append((key, value))
        for lst in index.values():
            lst.sort(key=lambda kv: -len(kv[0]))
        self._index = index
        self._singles = singles
        firsts = {k[0] for k in index} | set(singles)
        self._starts = re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]") if firsts else None

    def find(self, text: str) -> list[tuple[int, int, str, V]]:
        """Non-overlapping matches (start, end, key, value), leftmost then longest."""
        out: list[tuple[int, int, str, V]] = []
        if self._starts is None:
            return out
        index, singles = self._index, self._singles
        pos = 0
        for m in self._starts.finditer(text):
            i = m.start()
            if i < pos:
                continue
            for key, value in index.get(text[i:i + 2], ()):
                if text.startswith(key, i):
                    out.append((i, i + len(key), key, value))
                    pos = i + len(key)
                    break
            else:
                c = text[i]
                if c in singles:
                    out.append((i, i + 1, c, singles[c]))
                    pos = i + 1
        return out
