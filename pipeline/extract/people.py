"""People: names with their titles and organizations, found by rule.

The pattern is the one Chinese news uses for officials and experts: organization, title,
name (``中国信通院副院长王志勤``), chains of posts joined by ``、`` (two organizations give two
rows; a shared organization gives one row with both titles: ``达州市数字经济局党组书记、局长
于贵``), and author lines with the post after the name (``作者:陈宏曲 国务院办公厅电子政务
办公室主任``). A name is a known surname plus one or two characters, accepted only when a
speaking/attending verb or punctuation follows (``name_followers``), which keeps words that
happen to follow a title out. Rules, not a tagger: see the module docs in extract/__init__.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..normalize.reference import rules, table
from .organizations import canonical, strip_lead
from .sentences import split_sentences

_HARD = set(",，。;；:：!！?？“”\"《》 \t—…|｜「」")
_PUNCT_AFTER = set(",，。;；:：!！?？、“”\"()（）《》 \t—…")
_OF_PHRASE = re.compile(r"(?:分管|负责|主管|主持)[^的]{0,12}的$|的$")


@dataclass
class Post:
    organization_raw: str
    title: str


@dataclass
class PersonMention:
    name: str
    posts: list[Post]
    start: int  # of the name, in the sentence
    end: int
    sentence: str
    role: str = "mentioned"
    extra: dict = field(default_factory=dict)


@cache
def _titles() -> re.Pattern:
    words = sorted((r["title"] for r in table("titles.csv")), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@cache
def _title_at_end() -> re.Pattern:
    return re.compile("(?:" + _titles().pattern + ")$")


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    names = [r["surname"] for r in table("surnames.csv")]
    return frozenset(n for n in names if len(n) == 1), frozenset(n for n in names if len(n) == 2)


@cache
def _followers() -> tuple[str, ...]:
    return tuple(sorted(rules()["name_followers"], key=len, reverse=True))


@cache
def _speaker_verbs() -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in rules()["speaker_roles"]))


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _follow_strength(s: str, j: int) -> int:
    """How surely a name ends at ``j``: 2 for punctuation, the end or a two-character verb,
    1 for a one-character word (在, 等), 0 when nothing that may follow a name is there."""
    if j >= len(s) or s[j] in _PUNCT_AFTER:
        return 2
    for w in _followers():
        if s.startswith(w, j):
            return min(len(w), 2)
    return 0


def name_at(s: str, i: int) -> str | None:
    """The personal name that starts at ``s[i]``, if one does (surname + 1–2 characters,
    followed by punctuation or a verb such as 表示/出席)."""
    single, double = _surnames()
    stop = rules()["name_stop_chars"]
    if s[i:i + 2] in double:
        lengths = (4, 3)
    elif s[i:i + 1] in single:
        lengths = (3, 2)
    else:
        return None
    scored = [(_follow_strength(s, i + k), k) for k in lengths if i + k <= len(s) and all(_is_han(c) for c in s[i:i + k])]
    scored = [(st, k) for st, k in scored if st]
    if not scored:
        return None
    if len(scored) == 2 and s[i + scored[0][1] - 1] in stop:
        return s[i:i + scored[1][1]]
    st, k = max(scored)
    return s[i:i + k]


def _left_context(s: str, end: int) -> str:
    depth = 0
    i = end - 1
    while i >= 0:
        c = s[i]
        if c in ")）":
            depth += 1
        elif c in "(（":
            if depth == 0:
                break
            depth -= 1
        elif c in _HARD and depth == 0:
            break
        i -= 1
    return s[i + 1:end]


def _posts_before(s: str, title_start: int, title: str) -> list[Post]:
    """The posts written before a name: the last title and the chain of ``、``-joined posts."""
    left = _left_context(s, title_start)
    parts = left.split("、")
    segs = [(parts[-1], title)]
    for part in reversed(parts[:-1]):
        m = _title_at_end().search(part)
        if not m:
            break
        segs.append((part[: m.start()], m.group(0)))
    segs.reverse()
    posts: list[Post] = []
    for org, t in segs:
        org = _OF_PHRASE.sub("", strip_lead(org)).strip()
        if not org and posts:
            org = posts[-1].organization_raw
        posts.append(Post(org, t))
    return posts


def _group_posts(posts: list[Post]) -> list[Post]:
    """Posts at one organization merged into one (``党组书记、局长``)."""
    out: list[Post] = []
    for p in posts:
        if out and out[-1].organization_raw == p.organization_raw:
            out[-1] = Post(p.organization_raw, out[-1].title + "、" + p.title)
        else:
            out.append(p)
    return out


def find_titled(sentence: str) -> list[PersonMention]:
    """People written with a title before the name in one sentence."""
    out = []
    for m in _titles().finditer(sentence):
        name = name_at(sentence, m.end())
        if not name:
            continue
        posts = _group_posts(_posts_before(sentence, m.start(), m.group(0)))
        out.append(PersonMention(name, posts, m.end(), m.end() + len(name), sentence))
    return out


def parse_person_line(name: str, rest: str | None) -> list[Post]:
    """Posts written after a name (``国务院办公厅电子政务办公室主任``)."""
    if not rest:
        return []
    posts = []
    for part in re.split(r"[、,，]\s*", rest):
        m = _title_at_end().search(part)
        if m:
            org = part[: m.start()].strip()
            posts.append(Post(org or (posts[-1].organization_raw if posts else ""), m.group(0)))
    return _group_posts(posts)


_DASH_SPEAKER = re.compile(r"[—－-]{1,2}\s*([^—－-]{2,80})$")


def _role(m: PersonMention) -> str:
    after = m.sentence[m.end: m.end + 40]
    clause = re.split(r"[,，。;；]", after, maxsplit=1)[0]
    if _speaker_verbs().search(clause):
        return "speaker"
    if _quote_verbs().search(clause):
        return "quoted"
    return "mentioned"


@cache
def _quote_verbs() -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in rules()["quote_verbs"]))


_ROLE_RANK = {"author": 0, "speaker": 1, "quoted": 2, "mentioned": 3}


def extract_people(paragraphs: list[str], authors: list[tuple[str, str | None]] = (),
                   aliases: dict[str, str] | None = None) -> list[dict]:
    """Rows {name, title, organization, organization_raw, role, evidence}: one per person and
    organization, in order of first mention. ``authors`` are (name, text after the name) pairs
    from the byline; ``aliases`` the organization aliases the text defines."""
    rows: dict[tuple[str, str], dict] = {}
    order: list[tuple[str, str]] = []

    def add(name: str, post: Post | None, role: str, evidence: str) -> None:
        org_raw = post.organization_raw if post else ""
        key = (name, org_raw)
        if key not in rows:
            if post is None and any(k[0] == name for k in rows):
                return
            rows[key] = {
                "name": name,
                "title": post.title if post else None,
                "organization": canonical(org_raw, aliases) or None,
                "organization_raw": org_raw or None,
                "role": role,
                "evidence": evidence,
            }
            order.append(key)
        elif _ROLE_RANK[role] < _ROLE_RANK[rows[key]["role"]]:
            rows[key]["role"] = role

    for name, rest in authors:
        posts = parse_person_line(name, rest)
        evidence = f"作者:{name}" + (f" {rest}" if rest else "")
        for p in posts or [None]:
            add(name, p, "author", evidence)
    for para in paragraphs:
        dash = _DASH_SPEAKER.search(para)
        if dash and len(para) > 20:
            tail = dash.group(1)
            for pm in find_titled(tail):
                for p in pm.posts:
                    add(pm.name, p, "quoted", para)
        for sent in split_sentences(para):
            for pm in find_titled(sent):
                role = _role(pm)
                for p in pm.posts:
                    add(pm.name, p, role, sent)
    names = {k[0] for k in order}
    for para in paragraphs:
        for sent in split_sentences(para):
            for name in names:
                i = sent.find(name)
                if i < 0:
                    continue
                role = _role(PersonMention(name, [], i, i + len(name), sent))
                for k in order:
                    if k[0] == name and _ROLE_RANK[role] < _ROLE_RANK[rows[k]["role"]]:
                        rows[k]["role"] = role
    return [rows[k] for k in order]


def known_names(rows: list[dict]) -> list[str]:
    out: list[str] = []
    for r in rows:
        if r["name"] not in out:
            out.append(r["name"])
    return out
