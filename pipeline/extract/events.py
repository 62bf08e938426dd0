"""Events: forums, summits and conferences the article reports, with edition, date, place,
organizers, co-organizers and theme.

A name ends in an event word (论坛, 峰会, 大会 …) and is either quoted (“2023 数字政府高质量
发展论坛”) or stands where a held-verb or 主办 phrase puts it (``由X主办的第十七届中国电子政务
论坛暨…峰会在济南举行``). The date is the one in the same sentence (year inferred from the
publication date), the city the place after 在 (or a one-character abbreviation, 在京),
organizers the ``由…主办`` list and co-organizers the ``…承办`` list; the theme comes from
``以“…”为主题`` and goes to the event it follows.
"""
from __future__ import annotations

import re
from datetime import date
from functools import cache

from ..normalize.dates import parse_date_mentions
from ..normalize.reference import rules
from . import regions
from .numerals import cn_int
from .organizations import canonical, strip_lead
from .sentences import split_sentences

def cn_number(s: str) -> int | None:
    """Chinese or Arabic numeral (首, 十七, 二十三, 100) as an int."""
    return cn_int(s)


_EDITION = re.compile(r"[(（]?第([0-9一二三四五六七八九十百两]+)(?:届|次|期)[)）]?|首届")


@cache
def _name_pattern() -> re.Pattern:
    suffixes = "|".join(sorted(map(re.escape, rules()["event_suffixes"]), key=len, reverse=True))
    quoted = rf"[“\"]([^“”\"]{{2,60}}?(?:{suffixes}))[”\"]"
    bare = rf"((?:(?:19|20)\d{{2}}\s*)?(?:[(（]?第[0-9一二三四五六七八九十百]+届[)）]?|首届)?[\u4e00-\u9fffA-Za-z0-9·()（）\-]{{2,50}}?(?:{suffixes})(?:[\u4e00-\u9fff]{{2,12}}?(?:{suffixes}))?(?:暨[^,，。;；在]{{2,30}}?(?:{suffixes}))?)"
    return re.compile(quoted + "|" + bare)


@cache
def _suffix_any() -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, rules()["event_suffixes"]), key=len, reverse=True)))


@cache
def _held() -> re.Pattern:
    return re.compile("|".join(map(re.escape, rules()["event_held_verbs"])))


_BARE_LEAD = re.compile(r"^.*(?:主办的|承办的|召开的|举办的|举行的|开幕的|出席|参加|主办|在|于|的)(?=[\u4e00-\u9fff0-9第首(（])")
_EVENT_LEAD = re.compile(r"^(?:从|在|此次|本次|本届|该|这次|各|上届|下届|历届|每届)+")
_VENUE_AFTER = re.compile(r"中心|馆|园|场馆|大厦|酒店|广场|城")
_PLACE = re.compile(r"在([\u4e00-\u9fff]{1,20}?)(?:隆重|盛大|正式|顺利|成功)?(?:举行|举办|召开|开幕|闭幕|落幕|启幕)")
_ORGANIZERS = re.compile(r"由(.{2,120}?)(?:共同|联合)?主办")
_CO_ORGANIZERS = re.compile(r"(?:主办|指导)[,，、]\s*(.{2,80}?)(?:承办|协办)")
_THEME = re.compile(r"以[“\"]([^”\"]{2,60})[”\"]为(?:主题|题)")


def _split_orgs(text: str, aliases: dict[str, str]) -> list[str]:
    """``中央党校(国家行政学院)和广东省人民政府`` → two names; 和 inside a name (工业和信息化部)
    is kept: a part is split off only where what precedes ends like an organization."""
    text = re.sub(r"[(（]以下简称[^)）]*[)）]", "", text)
    parts = [p for p in re.split(r"[、,，]|及|以及", text) if p]
    out = []
    for p in parts:
        sub = re.split(r"(?<=[院校所局部委会府厅办司心社团)）])和", p)
        for q in sub:
            q = strip_lead(q.strip())
            if len(q) >= 2:
                out.append(canonical(q, aliases))
    return out


def _clean_name(name: str) -> tuple[str, int | None]:
    name = _BARE_LEAD.sub("", name) if not name.startswith(("第", "首届", "20", "19")) else name
    edition = None
    m = _EDITION.search(name)
    if m and m.start() <= 6:
        edition = 1 if m.group(0) == "首届" else cn_number(m.group(1))
        name = (name[: m.start()] + name[m.end():]).strip()
    return re.sub(r"\s+", "", name) if re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", name) is None else name, edition


def _city(sentence: str, title: str) -> tuple[str | None, str | None, str | None]:
    """(city, region_code, venue) from 在X举行, or from the title's 在京召开."""
    for text in (sentence, title):
        m = _PLACE.search(text)
        if not m:
            continue
        place = m.group(1)
        abbr = rules()["city_abbreviations"].get(place)
        if abbr:
            return abbr, regions.code_for(abbr), None
        ms = regions.mentions(place)
        if ms:
            a, b, code = ms[0]
            venue = place if b < len(place) else None
            return place[a:b], code, venue
    return None, None, None


def extract_events(paragraphs: list[str], title: str = "", pub_date: date | None = None,
                   aliases: dict[str, str] | None = None) -> list[dict]:
    """Rows {name, edition, date, city, region_code, venue, organizers, co_organizers, theme}."""
    aliases = aliases or {}
    generic = set(rules()["event_generic"])
    events: dict[str, dict] = {}
    last: str | None = None
    for para in paragraphs:
        if not _suffix_any().search(para):
            continue
        for sent in split_sentences(para):
            if not _suffix_any().search(sent):
                th = _THEME.search(sent)
                if th and last and events[last]["theme"] is None:
                    events[last]["theme"] = th.group(1)
                continue
            for m in _name_pattern().finditer(sent):
                raw = m.group(1) or m.group(2)
                quoted = m.group(1) is not None
                if not quoted and _VENUE_AFTER.match(sent, m.end()):
                    continue
                name, edition = _clean_name(raw)
                name = _EVENT_LEAD.sub("", name)
                if len(name) < 5 or name in generic or "等" in name or not re.search(r"[\u4e00-\u9fff]", name):
                    continue
                if not quoted and not (_held().search(sent) or "主办" in sent or "上" in sent[m.end(): m.end() + 2]):
                    continue
                ev = events.get(name)
                if ev is None:
                    ev = events[name] = {"name": name, "edition": edition, "date": None, "city": None,
                                         "region_code": None, "venue": None, "organizers": [],
                                         "co_organizers": [], "theme": None}
                ev["edition"] = ev["edition"] or edition
                if _held().search(sent):
                    days = [d for d in parse_date_mentions(sent, pub_date) if d.precision == "day"]
                    if days and ev["date"] is None:
                        ev["date"] = days[0].date
                    if ev["city"] is None:
                        ev["city"], ev["region_code"], ev["venue"] = _city(sent, title if name in title or raw in title else "")
                org = _ORGANIZERS.search(sent[: m.start()] + sent[m.start():])
                if org and not ev["organizers"]:
                    ev["organizers"] = _split_orgs(org.group(1), aliases)
                co = _CO_ORGANIZERS.search(sent)
                if co and not ev["co_organizers"]:
                    ev["co_organizers"] = _split_orgs(co.group(1), aliases)
                last = name
            th = _THEME.search(sent)
            if th and last and events[last]["theme"] is None:
                events[last]["theme"] = th.group(1)
    if title:
        for ev in events.values():
            if ev["city"] is None and (ev["name"] in title):
                ev["city"], ev["region_code"], ev["venue"] = _city(title, title)
    return list(events.values())
