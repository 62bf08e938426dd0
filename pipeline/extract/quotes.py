"""Quotes: what people (or organizations) said, direct (in “…”) or indirect (``X表示,…``).

A speaker is a person of the people table, an organization the article names, a pronoun
(他/她) standing for the last person named before it, or a surname with a title or an
honorific (``王主任``, ``李女士``) standing for the last person of that surname (else kept
as written). An attribution is a speech verb (``quote_verbs``, not inside a longer word
of ``quote_verb_not``) with the nearest speaker before it in the same clause. Forms:
``X(在…)表示:“…”`` and ``“…”X表示`` (direct), ``X表示,…`` (indirect, running to the next
attribution in the paragraph), ``X:“…”`` and an interview answer ``X:…`` at the start of a
paragraph (direct), and a paragraph that ends ``——title X`` (direct).
"""
from __future__ import annotations

import re
from functools import cache

from ..normalize.reference import rules, table
from .people import byline_marker, compact
from .sentences import split_sentences

_CLAUSE_STOP = set("。；;！!？?“”\"：:，,")
_PRONOUNS = ("他", "她")


@cache
def _verbs() -> re.Pattern:
    words = sorted(rules()["quote_verbs"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@cache
def _not_verbs() -> re.Pattern:
    words = sorted(rules()["quote_verb_not"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@cache
def _reference() -> re.Pattern:
    """A surname with a title or honorific: 王主任, 李女士, or 高某."""
    single = "".join(r["surname"] for r in table("surnames.csv") if len(r["surname"]) == 1)
    words = sorted({r["title"] for r in table("titles.csv")} | set(rules()["name_honorifics"]) | {"某"},
                   key=len, reverse=True)
    return re.compile(rf"(?<![\u4e00-\u9fff])([{single}])(?:{'|'.join(map(re.escape, words))})")


@cache
def _colon() -> re.Pattern:
    """What may stand between a speaker and the colon of an answer: a title and a post in
    brackets (``刘天模教授(重庆大学材料科学系)：``)."""
    words = sorted({r["title"] for r in table("titles.csv")} | set(rules()["name_honorifics"]), key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(map(re.escape, words))})?(?:[（(][^（）()]{{1,40}}[）)])?[：:]")


@cache
def _source_leads() -> re.Pattern:
    return re.compile("(?:" + "|".join(map(re.escape, rules()["source_leads"])) + r")[《「]?$")


def _cited(left: str, verb: str) -> bool:
    """Whether a mention is a report cited (``据X报道``, unlike ``据X介绍``) or a byline
    (``记者X报道``): neither is a speaker."""
    return (verb in rules()["citation_verbs"] and bool(_source_leads().search(left))) or bool(
        left.strip() and byline_marker(left))


@cache
def _title_at_start() -> re.Pattern:
    """A title right after an organization: its official speaks (``某公司董事长称``), not it."""
    words = sorted({r["title"] for r in table("titles.csv")}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def _verb_spans(sent: str) -> list[tuple[int, int]]:
    """Speech verbs outside quotation marks and not part of a longer word (说明, 名称)."""
    blocked = set()
    for m in _not_verbs().finditer(sent):
        blocked.update(range(m.start(), m.end()))
    depth, inside = 0, set()
    for i, c in enumerate(sent):
        if c in "“「":
            depth += 1
        elif c in "”」":
            depth = max(0, depth - 1)
        elif depth:
            inside.add(i)
    return [(m.start(), m.end()) for m in _verbs().finditer(sent)
            if m.start() not in blocked and m.start() not in inside and sent[m.end(): m.end() + 1] != "的"]


def _quoted(text: str) -> str | None:
    """The quotation ``text`` starts with, when it is the statement: a quoted term that the
    sentence goes on from (``“微博问诊”给患者…``) starts indirect speech instead."""
    m = re.match(r"\s*[“\"]([^”\"]{2,})[”\"]", text)
    if not m or (m.end() < len(text) and _is_word(text[m.end()])):
        return None
    return m.group(1)


def _is_word(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c.isalnum()


def _closes_bracket(text: str) -> bool:
    """Whether ``text`` closes a bracket it did not open: the mention before it sits inside
    brackets (a byline ``（记者 X）``) and speaks for nothing after them."""
    return text.count("）") + text.count(")") > text.count("（") + text.count("(")


_TRAILING_QUOTE = re.compile(r"[“\"]([^“”\"]{6,})[”\"]\s*$")


def extract_quotes(paragraphs: list[str], people: list[dict], organizations: list[str] = ()) -> list[dict]:
    """Rows {speaker, speaker_title, text, kind}, in text order."""
    titles: dict[str, str] = {}
    for p in people:
        if p["name"] not in titles and p.get("title"):
            titles[p["name"]] = ((p.get("organization_raw") or "") + p["title"])
    persons = list(dict.fromkeys(p["name"] for p in people if len(p["name"] or "") >= 2))
    person_set = set(persons)
    orgs = [o for o in dict.fromkeys(organizations) if len(o) >= 2 and o not in person_set]
    if not persons and not orgs:
        return []
    short = {}  # a foreign name's last part alone (科马洛夫 for 弗拉迪米尔.科马洛夫) stands for it
    for n in persons:
        last = re.split(r"[·•.．]", n)[-1]
        if last != n and len(last) >= 2:
            short.setdefault(last, n)
    short = {k: v for k, v in short.items() if k not in person_set and sum(n.endswith(k) for n in persons) == 1}
    names = sorted(persons + orgs + list(short), key=len, reverse=True)
    who_re = re.compile("|".join(map(re.escape, names)) + "|" + "|".join(_PRONOUNS))
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()
    last_person: str | None = None
    recent: dict[str, str] = {}  # surname -> last person of it named

    org_set = set(orgs)
    fuller = {o: max((f for f in orgs if f != o and f.endswith(o)), key=len, default=o) for o in orgs}

    def add(who: str, text: str, kind: str) -> None:
        who = fuller.get(who, who)  # 发改委 speaks as 国家发改委 when the article names it so
        text = text.strip()
        if not re.match(r"[“\"][^“”\"]+[”\"]\s*[\u4e00-\u9fff\w]", text):  # a quoted term opening it stays
            text = text.strip("“”\"").strip()
        if len(text) < 4 or (who, text) in seen:
            return
        seen.add((who, text))
        out.append({"speaker": who, "speaker_title": titles.get(who), "text": text, "kind": kind})

    def mentions(sent: str) -> list[tuple[int, int, str]]:
        """(start, end, speaker) of every possible speaker in the sentence, resolved."""
        nonlocal last_person
        found = [(m.start(), m.end(), m.group(0)) for m in who_re.finditer(sent)]
        for m in _reference().finditer(sent):
            if not any(a <= m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), "@" + m.group(0)))
        found.sort()
        out_: list[tuple[int, int, str]] = []
        for a, b, w in found:
            w = short.get(w, w)
            if w in _PRONOUNS:
                w = last_person
            elif w.startswith("@"):
                w = recent.get(w[1]) or w[1:]
            if w is None:
                continue
            if w in person_set:
                last_person = w
                for sn in (w[0], w[:2]):
                    recent[sn] = w
            out_.append((a, b, w))
        return out_

    last_sentence = ""  # of the paragraph before: a line ``X说。`` attributes its quotation
    for para in map(compact, paragraphs):
        dash = re.search(r"^(.{10,}?)\s*[—－]{1,2}\s*([^—－]{2,80})$", para)
        if dash:
            who = next((n for n in persons if dash.group(2).endswith(n)), None)
            if who:
                add(who, dash.group(1), "direct")
                last_sentence = ""
                continue
        sents = split_sentences(para)
        i = 0
        while i < len(sents):
            sent = sents[i]
            ms = mentions(sent)
            colon = _colon().match(sent, ms[0][1]) if ms and ms[0][0] == 0 else None
            if i == 0 and colon and ms[0][2] in person_set:
                rest = para[colon.end():]
                add(ms[0][2], _quoted(rest) or rest, "direct")  # an interview answer, X(post): …
                break
            consumed = False
            for a, b, who in ms:
                colon = _colon().match(sent, b)
                if colon and _quoted(sent[colon.end():]):
                    add(who, _quoted(sent[colon.end():]), "direct")
            done = 0  # a sentence may hold several quotations: ``X说，“…”，Y提出了…``
            for va, vb in _verb_spans(sent):
                before = [(a, b, w) for a, b, w in ms if done <= a and b <= va and not (_CLAUSE_STOP & set(sent[b:va]))
                          and not _closes_bracket(sent[b:va])
                          and not (w in org_set and _title_at_start().match(sent, b))
                          and not _cited(sent[:a], sent[va:vb])
                          and va - b <= (25 if w in person_set or w in _PRONOUNS else 8)]
                if not before:
                    continue
                people_before = [m for m in before if m[2] in person_set]
                a, b, who = (people_before or before)[-1]  # a person in the clause speaks, not the body after it
                rest = sent[vb:].lstrip("：:，, ")
                q = _quoted(rest)
                lead = re.match(r"^[“\"]([^”\"]{4,})[”\"][，,]?\s*", sent)
                prev = _TRAILING_QUOTE.search(sents[i - 1] if i else last_sentence)
                if q:
                    add(who, q, "direct")
                    done = len(sent) - len(rest) + len(q) + 2
                    continue
                if lead and a >= lead.end() - 2:
                    add(who, lead.group(1), "direct")
                elif not rest.strip(" 。.") and prev:
                    add(who, prev.group(1), "direct")
                elif rest.strip(" 。."):
                    text = [rest]
                    j = i + 1
                    while j < len(sents) and not _attributed(sents[j], who_re):
                        text.append(sents[j])
                        j += 1
                    add(who, "".join(text), "indirect")
                    for k in range(i + 1, j):
                        mentions(sents[k])
                    i = j
                    consumed = True
                break
            if not consumed:
                i += 1
        last_sentence = sents[-1] if sents else ""
    return out


def _attributed(sent: str, who_re: re.Pattern) -> bool:
    """Whether a sentence starts a new attribution (a speaker, then a verb)."""
    verbs = _verb_spans(sent)
    return bool(verbs) and any(m.end() <= verbs[-1][0] for m in who_re.finditer(sent)) or bool(
        verbs and _reference().search(sent[: verbs[-1][0]]))
