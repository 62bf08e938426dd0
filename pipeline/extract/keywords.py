"""Keywords and topic score from the controlled digital-government vocabulary
(``data/vocabulary.csv``: term, aliases, weight, category).

``topic_score`` = 1 − exp(−S/6), where S = Σ over vocabulary terms found in the body of
weight × (1 + ln count), plus 2 × weight for each term also in the title. One core term
named once scores ~0.15; an article built around the topic (several core terms, one in the
title) scores above 0.9; unrelated text scores 0.
"""
from __future__ import annotations

import math
from functools import cache

from ..normalize.reference import split_list, table
from ..normalize.lexicon import Lexicon


@cache
def _lexicon() -> tuple[Lexicon[str], dict[str, float], dict[str, int]]:
    entries, weights, order = [], {}, {}
    for i, row in enumerate(table("vocabulary.csv")):
        term = row["term"]
        weights[term] = float(row["weight"])
        order[term] = i
        for form in [term, *split_list(row["aliases"])]:
            entries.append((form, term))
    return Lexicon(entries), weights, order


def term_counts(text: str) -> dict[str, int]:
    lex = _lexicon()[0]
    counts: dict[str, int] = {}
    for _, _, _, term in lex.find(text):
        counts[term] = counts.get(term, 0) + 1
    return counts


def extract_keywords(body: str, title: str = "") -> list[str]:
    """Vocabulary terms in the text, most frequent first (ties in vocabulary order)."""
    _, _, order = _lexicon()
    counts = term_counts(title + "\n" + body)
    return sorted(counts, key=lambda t: (-counts[t], order[t]))


def topic_score(body: str, title: str = "", body_counts: dict[str, int] | None = None) -> float:
    """Digital-government relevance in [0, 1] (formula in the module docstring)."""
    _, weights, _ = _lexicon()
    counts = term_counts(body) if body_counts is None else body_counts
    s = sum(weights[t] * (1 + math.log(c)) for t, c in counts.items())
    s += sum(2 * weights[t] for t in term_counts(title))
    return round(1 - math.exp(-s / 6), 4)


def keywords_and_score(body: str, title: str = "") -> tuple[list[str], float]:
    """``extract_keywords`` and ``topic_score`` with one scan of the body."""
    _, _, order = _lexicon()
    body_counts = term_counts(body)
    counts = dict(body_counts)
    for t, c in term_counts(title).items():
        counts[t] = counts.get(t, 0) + c
    keywords = sorted(counts, key=lambda t: (-counts[t], order[t]))
    return keywords, topic_score(body, title, body_counts)
