"""Quotes: what people said, direct (in “…”) or indirect (``X表示,…``), with the speaker.

A speaker is a person the article names with a title (from the people table), or a
pronoun (他/她) standing for the last such person in the paragraph. Forms taken:
``X(在…)表示:“…”``, ``“…”X(在…)表示`` and ``“…。”X表示。`` (direct), ``X(在…)表示/指出/认为,…`` (indirect,
running to the next attribution in the paragraph), and a paragraph that ends
``——title X`` (direct, the paragraph before the dash).
"""
from __future__ import annotations

import re
from functools import cache

from ..normalize.reference import rules
from .sentences import split_sentences


_WHOLE_QUOTE = re.compile(r"^[“\"]([^“”\"]{6,})[”\"]$")


@cache
def _verbs() -> str:
    return "|".join(sorted(map(re.escape, rules()["quote_verbs"]), key=len, reverse=True))


def _attribution(names: list[str]) -> re.Pattern:
    who = "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + "|他|她"
    return re.compile(rf"(?P<who>{who})(?P<mid>[^,，。;；“”]{{0,25}}?)(?P<verb>{_verbs()})(?P<sep>[:：,，]?)")


def extract_quotes(paragraphs: list[str], people: list[dict]) -> list[dict]:
    """Rows {speaker, speaker_title, text, kind}, in text order."""
    titles: dict[str, str] = {}
    for p in people:
        if p["name"] not in titles and p.get("title"):
            titles[p["name"]] = ((p.get("organization_raw") or "") + p["title"])
    names = list(titles) or [p["name"] for p in people]
    if not names:
        return []
    attr = _attribution(names)
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(who: str, text: str, kind: str) -> None:
        text = text.strip().strip("“”\"").strip()
        if len(text) < 6 or (who, text) in seen:
            return
        seen.add((who, text))
        out.append({"speaker": who, "speaker_title": titles.get(who), "text": text, "kind": kind})

    for para in paragraphs:
        dash = re.search(r"^(.{10,}?)\s*[—－]{1,2}\s*([^—－]{2,80})$", para)
        if dash:
            tail = dash.group(2)
            who = next((n for n in names if tail.endswith(n)), None)
            if who:
                add(who, dash.group(1), "direct")
                continue
        last: str | None = None
        sents = split_sentences(para)
        i = 0
        while i < len(sents):
            sent = sents[i]
            m = attr.search(sent)
            direct_before = re.match(r"^[“\"]([^”\"]{6,})[”\"][,，]?\s*", sent)
            if m:
                who = m.group("who")
                if who in ("他", "她"):
                    before = [(sent.rfind(n, 0, m.start()), n) for n in names if n in sent[: m.start()]]
                    who = max(before)[1] if before else last
                if who is None:
                    i += 1
                    continue
                last = who
                rest = sent[m.end():]
                prev_quote = _WHOLE_QUOTE.match(sents[i - 1]) if i else None
                if not rest.strip(" 。.") and prev_quote:
                    add(who, prev_quote.group(1), "direct")
                elif direct_before and m.start() >= direct_before.end() - 2:
                    add(who, direct_before.group(1), "direct")
                elif rest.lstrip().startswith(("“", "\"")) and rest.rstrip("。").rstrip().endswith(("”", "\"")):
                    add(who, rest, "direct")
                elif rest.strip():
                    text = [rest]
                    j = i + 1
                    while j < len(sents) and not attr.search(sents[j]):
                        text.append(sents[j])
                        j += 1
                    add(who, "".join(text), "indirect")
                    i = j
                    continue
            else:
                for n in names:
                    if n in sent:
                        last = n
            i += 1
    return out
