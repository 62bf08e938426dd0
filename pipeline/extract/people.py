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
from dataclasses import dataclass
from functools import cache

from ..normalize.reference import rules, table
from .organizations import canonical, strip_lead
from .sentences import split_sentences
from .tagger import outvoted

_HARD = set(",，。;；:：!！?？“”\"《》 \t—…|｜「」")
_PUNCT_AFTER = set(",，。;；:：!！?？、“”\"()（）《》 \t—…")
_OF_PHRASE = re.compile(r"(?:分管|负责|主管|主持)[^的]{0,12}的$|的$")
_CLAUSE_CUT = re.compile(
    r"^.*(?:的(?=[^的]{2,})|采访了?|得到了?|去找|依据|根据|按照|随即|这也是|另有|说法同时也|\d+\s*(?:年|月|日)(?:初|底|末|中旬|上旬|下旬)?)"
)
_JUNK_EDGE = re.compile(r"^[)）\]】」』\s\-—:：,，]+|[(（\[【「『\s]+$")
_MODIFIER = re.compile(r"(名誉|常务|执行|高级|资深|首席|代理|已故|最高|原|前|代|正)$")


def clean_org(text: str) -> str:
    """The organization in the text before a title: clause words, dates and stray
    brackets cut off (``这也是今年1月初北京市委`` → 北京市委, ``71岁的南京大学`` → 南京大学)."""
    org = _OF_PHRASE.sub("", strip_lead(text)).strip()
    cut = _CLAUSE_CUT.sub("", org)
    if len(cut) >= 2:
        org = strip_lead(cut)
    return _JUNK_EDGE.sub("", org).strip()


def _title_modifier(org: str) -> tuple[str, str]:
    """A modifier that belongs to the title (茅台集团名誉|董事长 → 名誉董事长)."""
    m = _MODIFIER.search(org)
    if m and len(org) > len(m.group(0)) + 1:
        return org[: m.start()], m.group(0)
    return org, ""


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
def _not_names() -> frozenset[str]:
    return frozenset(rules()["not_names"])


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
    1 for a one-character word (在, 等) or a day (郭金龙12日在…), 0 when nothing that may
    follow a name is there."""
    if j >= len(s) or s[j] in _PUNCT_AFTER:
        return 2
    if s[j].isdigit():
        return 1
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
        return _foreign_name_at(s, i)
    scored = [(_follow_strength(s, i + k), k) for k in lengths if i + k <= len(s) and all(_is_han(c) for c in s[i:i + k])]
    scored = [(st, k) for st, k in scored if st and s[i:i + k] not in _not_names()]
    if not scored:
        return _foreign_name_at(s, i)
    if len(scored) == 2 and s[i + scored[0][1] - 1] in stop:
        return s[i:i + scored[1][1]]
    st, k = max(scored)
    if k == 3 and s[i + 2: i + 4] in _adverbs():
        k = 2
    return s[i:i + k]


_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,3}")


@cache
def _transliteration() -> re.Pattern:
    chars = rules()["transliteration_chars"]
    return re.compile(rf"[{chars}·•](?:[{chars}·•]|[.．](?=[{chars}])){{2,11}}")


def _foreign_name_at(s: str, i: int) -> str | None:
    """A Latin-script name (George Zanias) or a transliterated one (韦斯特韦勒): the longest
    run of transliteration characters that a verb or punctuation follows."""
    m = _LATIN_NAME.match(s, i)
    if m and (m.end() == len(s) or not s[m.end()].isascii() or _follow_strength(s, m.end())):
        return m.group(0)
    m = _transliteration().match(s, i)
    if not m:
        return None
    for end in range(m.end(), i + 2, -1):
        if _follow_strength(s, end) == 2 or (end == m.end() and _follow_strength(s, end)):
            return s[i:end]
    if m.end() - i >= 3 and m.end() < len(s) and _is_han(s[m.end()]):
        return m.group(0)  # 园长德洛尔兴奋地说: the run ends where the transliteration does
    return None


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
        org, modifier = _title_modifier(clean_org(org))
        t = modifier + t
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
    """People written with a title before the name in one sentence (a space between them
    in agendas and guest lines)."""
    out = []
    for m in _titles().finditer(sentence):
        at = m.end()
        if m.group(0) not in _byline_words():  # 院长 周立群教授 in agendas; 记者 X is a byline's
            at = re.compile(r"[ \u3000\xa0]{0,3}").match(sentence, at).end()
        name = name_at(sentence, at)
        if not name:
            continue
        posts = _group_posts(_posts_before(sentence, m.start(), m.group(0)))
        out.append(PersonMention(name, posts, at, at + len(name), sentence))
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


def _merge(posts: dict, roles: dict, evidence: dict, short: str, full: str) -> None:
    for p in posts.pop(short):
        if not any(q.title == p.title for q in posts[full]):
            posts[full].append(p)
    role = roles.pop(short)
    if _ROLE_RANK[role] < _ROLE_RANK[roles[full]]:
        roles[full] = role
    evidence.pop(short)


def _merge_short_forms(posts: dict, roles: dict, evidence: dict) -> None:
    """One person, one row. A name that is the start or the end of a longer one in the same
    article (沃拉斯 in 格雷厄姆·沃拉斯) is that person: its posts and role go to the fullest
    form; a foreign surname that ends several longer names (洛克菲勒) names none of them
    alone and is dropped. A name read with the word after it (姚明刚 beside 姚明, 刚 from
    刚刚) goes to the shorter form."""
    stop = rules()["name_stop_chars"] + rules()["name_trailing_words"]
    for name in list(posts):
        if name in posts and len(name) == 3 and name[-1] in stop and name[:2] in posts:
            _merge(posts, roles, evidence, name, name[:2])
    names = list(posts)
    for short in names:
        longer = [n for n in names if n != short and len(n) > len(short) and (n.startswith(short) or n.endswith(short))
                  and (len(short) >= 3 or any(c in _NAME_DOTS for c in n))]
        if len(longer) == 1:
            _merge(posts, roles, evidence, short, longer[0])
        elif len(longer) > 1 and all(n.endswith(short) for n in longer) and roles[short] != "author":
            posts.pop(short), roles.pop(short), evidence.pop(short)


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


def _row(name: str, posts: list[Post], role: str, evidence: str, aliases: dict[str, str] | None) -> dict:
    """One person's row. Posts at one organization give that organization and the titles
    joined (党组书记、局长); posts at several give the first organization and, as title, every
    post written out (中央网络安全和信息化委员会办公室副主任、国家互联网信息办公室副主任), since
    the table keeps one row a person and role."""
    posts = _group_posts(posts)
    first = posts[0] if posts else None
    if len(posts) > 1:
        title = "、".join(p.organization_raw + p.title for p in posts)
    else:
        title = first.title if first else None
    org_raw = first.organization_raw if first else ""
    return {"name": name, "title": title, "organization": canonical(org_raw, aliases) or None,
            "organization_raw": org_raw or None, "role": role, "evidence": evidence}


def extract_people(paragraphs: list[str], authors: list[tuple[str, str | None]] = (),
                   aliases: dict[str, str] | None = None, entities: dict | None = None) -> list[dict]:
    """Rows {name, title, organization, organization_raw, role, evidence}: one per person, in
    order of first mention, with the strongest role (author > speaker > quoted > mentioned).
    ``authors`` are (name, text after the name) pairs from the byline; ``aliases`` the
    organization aliases the text defines; ``entities`` the tagger's words by sentence (of
    the ``compact`` paragraphs): its person names join the rules' ones."""
    paragraphs = [compact(p) for p in paragraphs]
    doubtful = outvoted(entities, "PER") if entities else frozenset()
    posts: dict[str, list[Post]] = {}
    roles: dict[str, str] = {}
    evidence: dict[str, str] = {}

    def add(name: str, found: list[Post], role: str, ev: str) -> None:
        if not name or "某" in name:
            return
        if name not in posts:
            posts[name], roles[name], evidence[name] = [], role, ev
        elif _ROLE_RANK[role] < _ROLE_RANK[roles[name]]:
            roles[name] = role
        have = posts[name]
        for p in found:
            if any(q.title == p.title and (q.organization_raw == p.organization_raw or not p.organization_raw) for q in have):
                continue
            if not p.organization_raw and any(q.title.endswith(p.title) for q in have):
                continue
            have.append(p)

    for name, rest in authors:
        add(name, parse_person_line(name, rest), "author", f"作者:{name}" + (f" {rest}" if rest else ""))
    for para in paragraphs:
        dash = _DASH_SPEAKER.search(para)
        if dash and len(para) > 20:
            for pm in find_titled(dash.group(1)):
                add(pm.name, pm.posts, "quoted", para)
        for sent in split_sentences(para):
            ruled = find_titled(sent)
            for pm in ruled:
                add(pm.name, pm.posts, "author" if byline_marker(sent[:pm.start]) else _role(pm), sent)
            if entities:
                for pm in tagged_mentions(sent, entities.get(sent, ()), [(r.start, r.end) for r in ruled], doubtful):
                    add(pm.name, pm.posts, pm.role, sent)
    _merge_short_forms(posts, roles, evidence)
    for para in paragraphs:
        for sent in split_sentences(para):
            for name in posts:
                i = sent.find(name)
                if i >= 0:
                    role = _role(PersonMention(name, [], i, i + len(name), sent))
                    if _ROLE_RANK[role] < _ROLE_RANK[roles[name]]:
                        roles[name] = role
    return [_row(n, posts[n], roles[n], evidence[n], aliases) for n in posts]


_PADDED_NAME = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000\xa0]+([\u4e00-\u9fff])(?![\u4e00-\u9fff])")


def compact(text: str) -> str:
    """Two-character names padded to the width of three in lists (``李  扬``) closed up."""
    return _PADDED_NAME.sub(r"\1\2", text) if " " in text or "\u3000" in text or "\xa0" in text else text


@cache
def _byline_words() -> frozenset[str]:
    return frozenset(w.strip("/／") for w in rules()["byline_markers"])


@cache
def _byline_marker() -> re.Pattern:
    words = "|".join(sorted(map(re.escape, rules()["byline_markers"]), key=len, reverse=True))
    return re.compile(rf"(?P<marker>{words})\s*[:：/／]?\s*$")


_NAME_GROUP = re.compile(r"(?:[\u4e00-\u9fff·]{2,4}[\s、,，]+){0,4}$")


def byline_marker(left: str) -> str | None:
    """The byline word (记者, 通讯员, 文/) that the text before a name ends with, past
    other names of the same byline (``（记者王某 李某``)."""
    tail = _NAME_GROUP.search(left)
    for cut in sorted({len(left), tail.start() if tail else len(left)} | {
            i for i in range(tail.start() if tail else len(left), len(left)) if left[i - 1] in " 、,，\u3000"}, reverse=True):
        m = _byline_marker().search(left[:cut])
        if m:
            return m.group("marker").strip("/／")
    return None


@cache
def _honorifics() -> tuple[str, ...]:
    return tuple(sorted(rules()["name_honorifics"], key=len, reverse=True))


@cache
def _name_leads() -> tuple[str, ...]:
    """Words a tagger span may start with before the name: a byline word (记者汪万里) or a
    clause word (诚如格雷厄姆·沃拉斯)."""
    words = [w.strip("/／") for w in rules()["byline_markers"]] + rules()["name_lead_words"]
    return tuple(sorted((w for w in words if len(w) >= 2 or w in rules()["name_lead_words"]), key=len, reverse=True))


@cache
def _not_person() -> frozenset[str]:
    return frozenset(rules()["not_person_words"]) | _not_names()


_NAME_DOTS = "·•.．"


def _joined_spans(sentence: str, spans) -> list:
    """PER spans joined across a name dot (弗拉迪米尔.科马洛夫 → one span), or side by side
    when one of them has a dot already (亨丽埃塔•大卫 | 钟斯)."""
    out: list = []
    for sp in spans:
        if out and sp.label == "PER" and out[-1].label == "PER" and (
                (sp.start - out[-1].end == 1 and sentence[out[-1].end] in _NAME_DOTS)
                or (sp.start == out[-1].end and any(c in _NAME_DOTS for c in out[-1].text + sp.text))):
            prev = out.pop()
            out.append(type(sp)(sentence[prev.start:sp.end], "PER", prev.start, sp.end))
            continue
        out.append(sp)
    return out


def person_name(span: str) -> str | None:
    """The name in a tagger PER span, or None when it is no full name: a surname alone or
    with 某/老/总 (王某, 李老), a common word, or a single character. A title or honorific
    the span swept up is cut off (张院长 → 张, dropped)."""
    name = re.sub(r"\s+", "", span).strip(_NAME_DOTS + "-")
    for w in _name_leads():
        if name.startswith(w) and len(name) - len(w) >= 2:
            name = name[len(w):]
            break
    m = _title_at_end().search(name)
    if m and m.start() >= 1:
        name = name[: m.start()]
    for h in _honorifics() + tuple(rules()["name_suffixes"]):
        if name.endswith(h) and len(name) > len(h):
            name = name[: -len(h)]
            break
    if len(name) < 2 or len(name) > 12 or name in _not_person():
        return None
    if not all(_is_han(c) or c in _NAME_DOTS for c in name):
        return None
    single, double = _surnames()
    if name[:2] in double or name[0] in single:
        if len(name) == 4 and name[:2] not in double and name[-1] in rules()["name_stop_chars"]:
            name = name[:3]
        given = name[2:] if name[:2] in double else name[1:]
        if not given or given[0] in rules()["surname_only_suffixes"] or len(name) > 4 and "·" not in name:
            return None
    elif not (any(c in _NAME_DOTS for c in name) or all(c in rules()["transliteration_chars"] for c in name)):
        return None
    return name


@cache
def _apposition() -> re.Pattern:
    """A title in a clause before the name, after 作为/身为 (``作为市政协委员，X``)."""
    leads = "|".join(map(re.escape, rules()["apposition_leads"]))
    return re.compile(rf"(?:{leads})[^，,。；;：:“”]{{0,30}}?({_titles().pattern})[，,]\s*$")


@cache
def _adverbs() -> frozenset[str]:
    return frozenset(rules()["adverbs_after_names"])


def _posts_after(s: str, end: int) -> list[Post]:
    """Posts written after a name: in brackets (``X（Y局局长）``), in the clause after a comma
    (``X，Y局局长，``) or as a title word right after it (``X教授``, ``X 市长``), with the
    post in brackets after that word (``X教授（Y学院院长）``)."""
    rest = s[end:]
    m = re.match(r"\s*[（(]([^（）()]{2,40})[）)]", rest)
    if m:
        posts = parse_person_line("", m.group(1))
        if posts:
            return posts
    m = re.match(r"[,，]([^,，。;；:：“”\"]{2,30})(?=[,，。;；]|$)", rest)
    if m and _title_at_end().search(m.group(1)):
        return parse_person_line("", m.group(1))
    m = re.match(r"\s*(?:" + _titles().pattern + ")", rest)
    if m:
        word = [Post("", m.group(0).strip())]
        b = _BRACKETED_POST.match(rest, m.end())  # X教授（Y学院 院长）: the post in brackets too
        return word + (parse_person_line("", b.group(1)) if b else [])
    return []


_LIST_RUN = re.compile(
    r"(?<![\u4e00-\u9fff·])(?:[\u4e00-\u9fff·]{2,4}(?:[（(][^（）()]{1,30}[）)])?、)+[\u4e00-\u9fff·]{2,4}"
    r"(?=[（(、，,。；;：:\s）)]|$)")
_LIST_ITEM = re.compile(r"([\u4e00-\u9fff·]{2,4})(?:[（(][^（）()]{1,30}[）)])?")


def _surname_name(text: str) -> str | None:
    """``text`` when it reads as a Chinese full name: a known surname and one or two more
    characters (two to three after a two-character surname)."""
    single, double = _surnames()
    ok = (text[:2] in double and 3 <= len(text) <= 4) or (text[0] in single and 2 <= len(text) <= 3)
    return text if ok and person_name(text) == text else None


def _list_names(sentence: str, tagged: list[tuple[int, int]], places: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Names in a ``、`` list (authors of papers, speakers of a panel) where the tagger found
    one or more of the items a person: the other items that read as full names are people
    too (it often misses names beside each other, with little context)."""
    out = []
    for run in _LIST_RUN.finditer(sentence):
        items = [(m.group(1), m.start(1), m.end(1)) for m in _LIST_ITEM.finditer(sentence, run.start(), run.end())]
        hits = [it for it in items if any(s < it[2] and it[1] < e for s, e in tagged)]
        if not hits:
            continue
        for text, a, b in items:
            if any(s < b and a < e for s, e in places):
                continue
            if _surname_name(text):
                out.append((text, a, b))
    return out


def _names_before_titles(sentence: str, bounds: set[int]) -> list[tuple[str, int, int]]:
    """Agenda style, a name right before its title (``南开大学校长 侯自新教授 致辞``,
    ``天津市人民政府戴相龙市长 演讲``): a full name that starts at a boundary (punctuation,
    space, the end of a tagged organization) and a title that a verb or punctuation follows."""
    out = []
    for m in _titles().finditer(sentence):
        if not _follow_strength(sentence, m.end()):
            continue
        for k in (3, 2):
            a = m.start() - k
            if a < 0:
                continue
            text = sentence[a:m.start()]
            if (a == 0 or not _is_han(sentence[a - 1]) or a in bounds) and _surname_name(text):
                out.append((text, a, m.start()))
                break
    return out


_LATIN_FULL = re.compile(
    r"(?<![A-Za-z.])[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
    r"(?:\s+(?:[A-Z]\.\s*)+[A-Z][a-z]+|\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?|\s*(?:[A-Z]\.\s*)+[A-Z][a-z]+){1,3}(?![A-Za-z])")


def _latin_names(sentence: str, tagged: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Names in Latin script (Linus Torvalds, Sarah Y. Tong): two to four capitalised words
    of which the tagger read one as a person, or followed by an affiliation in brackets."""
    out = []
    for m in _LATIN_FULL.finditer(sentence):
        if any(s < m.end() and m.start() < e for s, e in tagged) or re.match(r"\s*[（(][^）)]*[\u4e00-\u9fff]", sentence[m.end():]):
            out.append((m.group(0), m.start(), m.end()))
    return out


_BRACKETED_POST = re.compile(r"\s*[（(]([^（）()]{2,40})[）)]")


def _byline_names(sentence: str) -> list[tuple[str, int, int]]:
    """Full names right after a byline word (``（记者 梁沅 通讯员 石岩）``), whatever the
    tagger read them as (石岩 is also a place)."""
    out = []
    for m in _byline_marker_anywhere().finditer(sentence):
        for k in (3, 2, 4):
            text = sentence[m.end():m.end() + k]
            after = sentence[m.end() + k: m.end() + k + 1]
            if len(text) == k and (not after or not _is_han(after) or after in "摄报") and _surname_name(text):
                out.append((text, m.end(), m.end() + k))
                break
    return out


@cache
def _byline_marker_anywhere() -> re.Pattern:
    words = "|".join(sorted((re.escape(w) for w in rules()["byline_markers"] if len(w.strip("/／")) > 1), key=len, reverse=True))
    return re.compile(rf"(?:{words})\s*[:：/／]?\s*")


def _names_before_posts(sentence: str) -> list[tuple[str, int, int]]:
    """A full name at a boundary with its post in brackets after it (``巫和懋（台湾大学管理学院
    教授）``), as programmes and lists of speakers write them."""
    out = []
    for m in _BRACKETED_POST.finditer(sentence):
        for k in (3, 2, 4):
            a = m.start() - k
            text = sentence[max(a, 0):m.start()]
            if a >= 0 and (a == 0 or not _is_han(sentence[a - 1])) and _surname_name(text):
                if parse_person_line("", m.group(1)):
                    out.append((text, a, m.start()))
                break
    return out


_LATIN_CAPITAL = re.compile("[A-Z]")


def tagged_mentions(sentence: str, spans, ruled: list[tuple[int, int]] = (),
                    doubtful: frozenset[str] = frozenset()) -> list[PersonMention]:
    """People the tagger found in one sentence, with the posts the text gives before or
    after the name, and ``author`` for a byline (``记者 X``, ``（记者X Y）``, ``文/X``).
    Names beside tagged ones in lists and names right before a title are added (rules
    where the tagger often fails); of overlapping candidates the longest is kept, and none
    that overlaps a name the rules found (``ruled`` spans) is."""
    spans = _joined_spans(sentence, spans)
    cands: list[tuple[str, int, int]] = []
    for sp in spans:
        if sp.label == "PER" and sp.text not in doubtful:
            name = person_name(sp.text)
            if name:
                at = sp.start + max(sp.text.find(name), 0)
                if len(name) == 3 and sentence[at + 2: at + 4] in _adverbs():
                    name = name[:2]  # 汤地更是提出: the name is 汤地, 更是 the word after it
                cands.append((name, at, at + len(name)))
    tagged = [(sp.start, sp.end) for sp in spans if sp.label == "PER"]
    places = [(sp.start, sp.end) for sp in spans if sp.label == "LOC"]
    cands += _list_names(sentence, tagged, places)
    if _LATIN_CAPITAL.search(sentence):
        cands += _latin_names(sentence, tagged)
    cands += _names_before_titles(sentence, {sp.end for sp in spans if sp.label in ("ORG", "LOC")})
    if "（" in sentence or "(" in sentence:
        cands += _names_before_posts(sentence)
    cands += _byline_names(sentence)
    cands = [c for c in cands if not any(c[1] < b and a < c[2] for a, b in ruled)]
    cands.sort(key=lambda c: (c[1], -(c[2] - c[1])))
    kept: list[tuple[str, int, int]] = []
    for c in cands:
        if any(c[1] < k[2] and k[1] < c[2] for k in kept):
            if any(k[1] <= c[1] and c[2] <= k[2] for k in kept):
                continue
            kept = [k for k in kept if not (c[1] <= k[1] and k[2] <= c[2])]
        kept.append(c)
    out = []
    for name, start, end in sorted(set(kept), key=lambda c: c[1]):
        left = sentence[:start]
        role = "mentioned"
        posts: list[Post] = []
        by = byline_marker(left)
        if by:
            role = "author"
            posts = [Post("", by)]
        else:
            t = _title_at_end().search(left.rstrip()) or _apposition().search(left)
            if t:
                posts = _group_posts(_posts_before(sentence, t.start(1 if t.re is _apposition() else 0),
                                                   t.group(1 if t.re is _apposition() else 0)))
            for p in _posts_after(sentence, end):
                if not any(q.title == p.title for q in posts):
                    posts.append(p)
        pm = PersonMention(name, posts, start, end, sentence, role)
        if role != "author":
            pm.role = _role(pm)
        out.append(pm)
    return out
