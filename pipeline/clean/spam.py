"""Injected spam: paragraphs a hijacker adds to a mirrored article.

Mirrors of government pages carry paragraphs that have nothing to do with the article: an
"expert's" or calligrapher's biography, often under 关于专家组, a product's promotion, gambling
words. What gives them away is the pair: markers of a biography or a sale (pipeline/data/
injected_spam.yaml), and vocabulary the headline and the rest of the body do not share. A
sentence of the article that names a company's chairman shares the article's words and stays;
so does the biography of the person the article is about (its name recurs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parents[1] / "data" / "injected_spam.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]+")

FLAG = "injected_spam"
BIO_SHARED = 0.3  # at most this share of a biography's word pairs recur in the article
PROMO_SHARED = 0.15
SHORT = 60  # a one-line insertion ('X有限公司创始人Y出席活动并致辞。')
BLOCK_SHARED = 0.5
VICE_SHARED = 0.3
LIST_MIN = 2  # paragraphs like biographies, each on its own: a list of people is the article
HEAD_ONLY = 4  # a bare heading: its biographies follow as paragraphs of their own


@dataclass(frozen=True)
class _Sets:
    heads: re.Pattern
    bio: tuple
    promo: tuple
    honor: tuple
    official: tuple
    vice: tuple
    screen: tuple = (None, ())  # markers.literal_screen of heads, bio, promo, honor, vice

    def marked(self, text: str) -> bool:
        """A head or a marker of a biography, a sale or vice in text: without one anywhere,
        no paragraph of a body can go. (Most paragraphs hold none of the strings the patterns
        require, which one regex finds.)"""
        found, always = self.screen
        pats = (self.heads, *self.bio, *self.promo, *self.honor, *self.vice) if found is None or found(text) else always
        return any(r.search(text) for r in pats)


@lru_cache(maxsize=1)
def _sets() -> _Sets:
    from pipeline.clean import yamlfile
    from pipeline.clean.markers import literal_screen

    d = yamlfile.load(_DATA.read_text("utf-8"))
    heads = re.compile("|".join(f"(?:{p})" for p in d["heads"]))
    sets = _Sets(heads, *(tuple(re.compile(p) for p in d.get(k) or ()) for k in ("bio", "promo", "honor", "official", "vice")))
    return replace(sets, screen=literal_screen((sets.heads, *sets.bio, *sets.promo, *sets.honor, *sets.vice)))


def _hits(pats: tuple, text: str) -> int:
    return sum(1 for r in pats if r.search(text))


def _bigrams(text: str) -> set[str]:
    out = set()
    for run in _CJK.findall(text):
        out.update(map(str.__add__, run, run[1:]))
    return out


def _lead(text: str) -> set[str]:
    """Word pairs of the paragraph's first three characters: where a biography names its subject."""
    m = _CJK.search(text)
    return _bigrams(m.group()[:3]) if m and m.start() <= 4 else set()


def is_injected(text: str, shared: float, lead_known: bool, known) -> bool:
    """A paragraph that is a biography, a sale or vice, given the share of its word pairs
    that recur in the article, whether its opening name recurs (then the article is about
    that person or product), and ``known`` (does a word pair recur)."""
    s = _sets()
    bio, promo, honor = _hits(s.bio, text), _hits(s.promo, text), _hits(s.honor, text)
    if len(text) <= SHORT and not bio and promo + honor >= 2 and shared <= PROMO_SHARED:
        return True
    if lead_known or _hits(s.official, text):
        return False
    if bio and bio + promo + honor >= 2 and shared <= BIO_SHARED:
        return True
    if promo >= 2 and shared <= PROMO_SHARED:
        return True
    if shared > VICE_SHARED:
        return False
    found = [m.group() for r in s.vice for m in r.finditer(text)]
    return bool(found) and not any(known(x) for w in found for x in _bigrams(w))


def drop_injected(paragraphs: list[str], title: str = "") -> tuple[list[str], int]:
    """(paragraphs without the injected ones, how many went). A heading such as 关于专家组
    takes the marked paragraphs under it along. Several biographies without such a heading
    are the article's own list (award winners, appointees): they stay."""
    s = _sets()
    if len(paragraphs) < 2 or not any(map(s.marked, paragraphs)):
        return paragraphs, 0
    grams = [_bigrams(p) for p in paragraphs]
    seen: set[str] = set()
    recurring = _bigrams(title)
    for g in grams:  # pairs in more than one paragraph
        recurring |= g & seen
        seen |= g
    known = recurring.__contains__

    drop = [False] * len(paragraphs)
    loose: list[int] = []  # injected by their own markers, not under a heading
    in_block = False
    for i, p in enumerate(paragraphs):
        g = grams[i]
        shared = len(g & recurring) / len(g) if g else 1.0
        head = s.heads.search(p)
        if head:
            drop[i] = True
            in_block = len(p) - head.end() <= HEAD_ONLY
            continue
        if in_block and shared <= BLOCK_SHARED and (_hits(s.bio, p) or _hits(s.honor, p) >= 2):
            drop[i] = True
            continue
        in_block = False
        if shared > BIO_SHARED:
            continue
        lead = _lead(p)
        if is_injected(p, shared, bool(lead) and any(known(x) for x in lead), known):
            loose.append(i)
    if len(loose) < LIST_MIN:
        for i in loose:
            drop[i] = True
    gone = sum(drop)
    if gone == len(paragraphs):
        return paragraphs, 0
    return [p for p, d in zip(paragraphs, drop) if not d], gone
