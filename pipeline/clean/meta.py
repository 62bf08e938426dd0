"""Byline signals: what a 来源/作者/记者/编辑/时间 line says, and whether a line is a byline at all.

Chinese news puts the source, time and people in one or two short lines under the headline
(`时间 : 2021-11-28 16:23:59 来源 : 南方都市报`, `学习时报 / 2022-11-01 10:08:59`) and the
editor at the end (`(责任编辑:张三)`). Portals print the source with page furniture glued on
(`来源：某某网 【字号 大 中 小】 举报`), leave the label blank and declare the source only in
<meta>, or print an outlet or account without a label beside the date (`2024-05-30 10:21
某某网`); the vocabulary of labels and furniture is in data/bylines.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline.clean.memo import per_line
from pipeline.clean.pubdate import DATE_RE, find_dates

_DATA = Path(__file__).resolve().parents[1] / "data" / "bylines.yaml"


def _alts(words) -> str:
    """A regex alternation of words, longest first; a space in a word stands for any spacing."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def vocab() -> dict:
    """bylines.yaml with its regexes built."""
    from pipeline.clean import yamlfile

    d = yamlfile.load(_DATA.read_text("utf-8"))
    src, labels = _alts(d["source_labels"]), _alts(d["byline_labels"] + d["source_labels"])
    d["any_label_re"] = re.compile(r"(?:" + src + r")\s*[:：]")
    d["label_re"] = re.compile(r"(?<!" + r")(?<!".join(map(re.escape, d["not_article_source"])) + r")(?:"
                               + src + r")\s*[:：]")
    d["bare_re"] = re.compile(r"^\s*(?:" + _alts(d["bare_source_labels"]) + r")\s*[:：]?\s*(\S.{0,23})$")
    d["spaced_re"] = re.compile(r"^\s*(?:" + _alts(d["bare_source_labels"]) + r")\s+([^\s|｜].{1,30})$")
    short = [w for w in d["furniture"] if len(w) <= 2]
    long_ = [w for w in d["furniture"] if len(w) > 2]
    furniture = (r"(?:\s+|\s*(?=[【\[(（]))[【\[(（]?\s*(?:" + _alts(long_) + "|(?:" + _alts(short) + r")(?![\u4e00-\u9fff]))"
                 + "|" + "|".join(d["furniture_patterns"]))
    d["stop_re"] = re.compile(
        r"\s{2,}|\s*(?:" + labels + r")\s*[:：]|\s+[^\s:：]{1,6}[:：]|\s*[|｜╱／，。！？；]|\s+/|\s*[【\[]"
        r"|\s+(?:https?:|www\.)|\s*[（(]\s*(?=(?:19|20)\d\d)"
        r"|\s*" + DATE_RE.pattern + r"|\s+\d{1,2}[:：]\d\d(?!\d)|" + furniture)
    d["prefix_re"] = re.compile(r"^(?:" + _alts(d["account_prefixes"]) + r")(?:\s+|$)")
    d["time_prefix_re"] = re.compile(r"(?:" + _alts(d["time_prefixes"]) + r")\s*$")
    d["not_outlet_res"] = [re.compile(p) for p in d["not_outlet"]]
    d["widget_starts"] = tuple(w for w in d["furniture"] if w not in d["follow_buttons"])
    d["not_source_res"] = [re.compile(p) for p in d["not_source"]]
    d["posted_from_re"] = re.compile(r"(?:" + _alts(d["posted_from"]) + r")\s*[:：]?\s*\S{0,10}$")
    month_day_time = r"(?<!\d)\d{1,2}[-/月]\d{1,2}日?\s*\d{1,2}[:：]\d\d(?:[:：]\d\d)?(?!\d)"
    d["stamp_re"] = re.compile("|".join([DATE_RE.pattern, month_day_time, *d["relative_times"]]))
    d["ending_re"] = re.compile(r"(?:" + _alts(d["outlet_endings"]) + r")$")
    return d


SOURCE_OF_RE = re.compile(r"(?:本文)?(?:来源于|转载自|摘自|转自)\s*[:：]?\s*[《「]?([^《》「」\s,，。:：]{2,20}?)[》」]?(?=[\s,，。]|$)")
SLASH_SOURCE_RE = re.compile(r"^([^\s/|｜:：]{2,16})\s*[/|｜]\s*" + DATE_RE.pattern)
AUTHOR_RE = re.compile(r"(?:作者|撰文|文\s*[/|｜]|记者|本报记者|特约记者|通讯员|文)\s*[:：/｜|]?\s*((?:[\u4e00-\u9fff·]{2,4}(?:[\s、，,　)）]+|$))+)")
EDITOR_RE = re.compile(r"(?:责任编辑|责编|网络编辑|编辑|值班编辑)\s*[:：]\s*((?:[\u4e00-\u9fff·]{2,4}[\s、，,　]*)+)")
TIME_LABEL_RE = re.compile(r"(发布时间|发表时间|发布日期|更新时间|时间|日期)\s*[:：]")

_NOT_NAMES = {"本报", "记者", "通讯员", "编辑", "来源", "作者", "时间", "日期", "发布", "实习生", "报道"}


@dataclass
class Byline:
    source: str | None = None
    dates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)


def _names(chunk: str) -> list[str]:
    out = []
    chunk = re.split(r"[)）\]】]", chunk)[0]
    for tok in re.split(r"[\s、，,　]+", chunk.strip()):
        if 2 <= len(tok) <= 4 and re.fullmatch(r"[\u4e00-\u9fff·]+", tok) and tok not in _NOT_NAMES:
            out.append(tok)
        elif tok:
            break
    return out


_OPEN, _CLOSE = "(（《〈「『[【", ")）》〉」』]】"
_PAIR = dict(zip(_CLOSE, _OPEN))


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
    return depth <= 0


def _strip_unmatched(s: str) -> str:
    """Drop brackets at the ends that close or open nothing within the name; keep paired ones."""
    while s and s[-1] in _CLOSE and s.count(s[-1]) > s.count(_PAIR[s[-1]]):
        s = s[:-1].rstrip()
    while s and s[0] in _OPEN and s.count(s[0]) > s.count(_CLOSE[_OPEN.index(s[0])]):
        s = s[1:].lstrip()
    return s


_BRACKET_SPACE = re.compile(r"\s*([（(）)])\s*")


def _value_end(rest: str) -> int:
    """Where a source value that starts `rest` ends: the first stop (another label, furniture,
    a date, a separator) that is not inside a bracket the value opened."""
    for m in vocab()["stop_re"].finditer(rest):
        if _balanced(rest[: m.start()]):
            return m.start()
    return len(rest)


_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


@cache
def _places_and_surnames() -> tuple[frozenset[str], frozenset[str]]:
    """Province and city names (full and short) and surnames, from the shared data files."""
    import csv

    data = _DATA.parent
    with open(data / "regions.csv", encoding="utf-8") as f:
        places = {n for r in csv.DictReader(f) if r["level"] in ("province", "city")
                  for n in (r["name"], r["short"]) if n}
    with open(data / "surnames.csv", encoding="utf-8") as f:
        surnames = {r["surname"] for r in csv.DictReader(f)}
    return frozenset(places), frozenset(surnames)


def _drop_trailing_place_or_person(s: str) -> str:
    """`某某号 北京` (where the account posts from), `某某新闻网 王五` (its writer): a source
    followed by a province or city, or an outlet followed by a person's name, keeps the source."""
    head, _, last = s.rpartition(" ")
    if not head or not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", last):
        return s
    places, surnames = _places_and_surnames()
    if last in places:
        return head
    outlet = vocab()["ending_re"].search(head)
    if outlet and len(last) <= 3 and (last[0] in surnames or last[:2] in surnames):
        return head
    return s


def clean_source(s: str) -> str | None:
    """A source value without the furniture, dates and labels that follow it on the line."""
    s = _BRACKET_SPACE.sub(r"\1", s.lstrip(" :：|｜/【[\u3000\xa0"))
    s = s[: _value_end(s)]
    s = _strip_unmatched(_PRIVATE_USE.sub("", s).strip(" :：|｜/【】[]\u3000\xa0,，;；。"))
    s = _drop_trailing_place_or_person(s)
    if not s or len(s) > 40 or DATE_RE.fullmatch(s) or s.startswith("http"):
        return None
    if any(r.search(s) for r in vocab()["not_source_res"]):
        return None
    return s


def labelled_source(line: str) -> str | None:
    """The value after a source label (来源：…, 信息来源：…; 来源CSDN in a |-separated byline),
    or None when the label stands blank."""
    for m in vocab()["label_re"].finditer(line):
        s = clean_source(line[m.end():])
        if s:
            return s
    return _bare_labelled(line)


def _bare_labelled(line: str) -> str | None:
    """A label without a colon: a `来源CSDN` field in a byline whose fields are |-separated,
    or a short line `来源 某某社` (label and value in cells side by side)."""
    m = vocab()["spaced_re"].match(line)
    if m:
        return clean_source(m.group(1))
    if "|" not in line and "｜" not in line:
        return None
    for seg in re.split(r"[|｜]", line):
        m = vocab()["bare_re"].match(seg)
        if m:
            s = clean_source(m.group(1))
            if s:
                return s
    return None


def outlet_beside_date(line: str) -> str | None:
    """An unlabelled outlet or account printed next to the date (`2024-05-30 10:21 人民网`,
    `新华社 2019-09-26`, `原创 某某号 2019-09-09 16:01`, `某某科技 昨天`), or None."""
    s = " ".join(line.split())
    if len(s) > 80 or vocab()["any_label_re"].search(s):
        return None
    stamps = list(vocab()["stamp_re"].finditer(s))
    if len(stamps) != 1:
        return None
    start, end = stamps[0].span()
    before = vocab()["time_prefix_re"].sub("", TIME_LABEL_RE.sub("", s[:start]))
    after = s[end:]
    if after and not (re.match(r"[\s·|｜/]", after) or s[end - 1].isspace()):
        return None
    after = after.strip(" ·|｜/")
    after = after[: _value_end(after)]
    before = vocab()["prefix_re"].sub("", before.strip(" ·|｜/")).strip(" ·|｜/")
    before = before[: _value_end(before)]
    if before and (after in _places_and_surnames()[0] or vocab()["posted_from_re"].match(after)):
        after = ""  # `某某号 2024-05-30 10:21 · 北京`: where the account posts from
    if bool(before) == bool(after):
        return None
    name = _strip_unmatched(before or after)
    first = name.split(" ")[0]
    if first != name and vocab()["ending_re"].search(first):
        name = first  # `2024-05-30 某某日报 张三`: the outlet, then its writer
    return name if _name_like(name) else None


def _name_like(name: str) -> bool:
    """A bare outlet or account name: one short token, not a weekday, stamp or widget word."""
    v = vocab()
    if not 2 <= len(name) <= 20 or " " in name or not re.search(r"[\u4e00-\u9fffA-Za-z]", name):
        return False
    if name in _places_and_surnames()[0]:
        return False
    bare = name[1:-1] if name[0] == "《" and name[-1] == "》" else name
    if re.search(r"[《》“”\"—、]|^[-_]", bare):
        return False
    if any(t in v["follow_buttons"] or t.startswith(v["widget_starts"]) for t in re.split(r"[/|｜·]", name)):
        return False
    return not any(r.search(name) for r in v["not_outlet_res"])


def _stamped(line: str) -> bool:
    """A short line that dates the article (a date, a month-day time, or `3小时前`)."""
    return len(line) <= 80 and bool(vocab()["stamp_re"].search(line) or TIME_LABEL_RE.search(line))


def outlet_under_headline(lines: list[str], title: str | None) -> str | None:
    """An account or outlet alone on the line between the headline and the byline's date or a
    follow button (headline / 新华社 / 2020-01-03 18:13), `lines` in page order. Only the
    headline nearest the body counts: farther copies sit in lists of other articles."""
    if not title:
        return None
    key = "".join(title.split())
    for i in range(len(lines) - 3, -1, -1):
        line = "".join(lines[i].split())
        if not line or not (line == key or (len(key) >= 6 and key in line and len(line) <= len(key) + 6)):
            continue
        name, nxt = lines[i + 1].strip(), lines[i + 2].strip()
        if (len(name) > 40 or re.search(r"[:：]", name) or _stamped(name)
                or not (nxt in vocab()["follow_buttons"] or _stamped(nxt))):
            return None
        name = clean_source(name) or ""
        return name if _name_like(name) else None
    return None


def parse_byline(line: str) -> Byline:
    """Everything a byline-like line states. Empty fields when it states nothing."""
    b = Byline(dates=find_dates(line))
    b.source = labelled_source(line)
    if b.source is None:
        m = SLASH_SOURCE_RE.search(line.strip())
        if m:
            b.source = clean_source(m.group(1))
    if b.source is None:
        m = SOURCE_OF_RE.search(line)
        if m and len(line) < 60:
            b.source = clean_source(m.group(1))
    m = EDITOR_RE.search(line)
    if m:
        b.editors = _names(m.group(1))
        line = line[: m.start()] + line[m.end():]
    m = AUTHOR_RE.search(line)
    if m:
        b.authors = _names(m.group(1))
    return b


_BARE_LABEL_END = re.compile(r"[\u4e00-\u9fff]{2,6}\s*[:：]\s*$")


def join_bare_labels(lines: list[str]) -> list[str]:
    """Lines in page order, a label left bare (`稿源：`, a table cell) joined to the value on
    the next line."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        s = lines[i]
        if (i + 1 < len(lines) and len(s) <= 60 and len(lines[i + 1]) <= 60
                and _BARE_LABEL_END.search(s) and not _BARE_LABEL_END.search(lines[i + 1])
                and not re.search(r"[，。！？；]", lines[i + 1])):
            out.append(s + " " + lines[i + 1])
            i += 2
            continue
        out.append(s)
        i += 1
    return out


def byline_sources(lines: list[str]) -> tuple[str | None, str | None]:
    """(labelled, beside the date) sources that byline-like lines state, `lines` nearest the
    body first. Only the nearest dated line may name an outlet without a label: farther
    dated lines are headline lists and page banners."""
    labelled = outlet = None
    dated_seen = False
    for s in lines:
        if is_byline(s):
            labelled = labelled or parse_byline(s).source
        if not dated_seen and vocab()["stamp_re"].search(s) and (len(s) <= 30 or is_byline(s)):
            dated_seen = True
            outlet = outlet_beside_date(s)
    return labelled, outlet


_JS_STRING = re.compile(r"""document\.write(?:ln)?\(\s*(["'])(.*?)\1\s*\)""", re.S)
_TAG = re.compile(r"<[^>]*>")


def script_source(scripts: list[str]) -> str | None:
    """A labelled source that a small inline script writes into the byline
    (`document.write('<span>来源：</span><span>某某报</span>')`)."""
    for js in scripts:
        if len(js) > 1000 or not vocab()["any_label_re"].search(js):
            continue
        for m in _JS_STRING.finditer(js):
            s = labelled_source(" ".join(_TAG.sub(" ", m.group(2)).split()))
            if s:
                return s
    return None


def element_source(texts: list[str]) -> str | None:
    """The source the elements named for it (class `source`, `media-name`, `js_name`) state,
    when they all state the same one; `texts` in page order."""
    found = set()
    for t in texts:
        if len(t) > 60:
            continue
        name = labelled_source(t) or clean_source(t)
        if name and (_name_like(name) or vocab()["any_label_re"].search(t)):
            found.add(name)
    return found.pop() if len(found) == 1 else None


def meta_source(metas: dict[str, str]) -> str | None:
    """The source a page declares only in <meta> (ContentSource, source, mediaid; an
    article:author that ends like an outlet). `metas`: lower-case name -> content."""
    v = vocab()
    for key in v["meta_source"]:
        val = (metas.get(key) or "").strip()[:200]
        if val:
            s = labelled_source(val) or clean_source(val)
            if s:
                return s
    for key in v["meta_author"]:
        val = clean_source((metas.get(key) or "")[:200])
        if val and v["ending_re"].search(val):
            return val
    return None


_URLS = re.compile(r"https?://\S+|www\.\S+")
_CLAUSE_END = re.compile(r"[，。！？；]")
_PEOPLE_LABEL = re.compile(r"^[(（]?\s*(作者|记者|本报记者|通讯员|文|撰文)\s*[:：/｜|]")


@per_line
def is_byline(line: str) -> bool:
    """A short line made of metadata (source, date, author labels), not prose. (Labels need a
    colon and dates a '19' or '20': lines without are spared those regexes.)"""
    s = line.strip()
    if not s or len(s) > 90:
        return False
    dated = ("19" in s or "20" in s) and DATE_RE.search(s) is not None
    if ((":" in s or "：" in s) and (vocab()["any_label_re"].search(s) or TIME_LABEL_RE.search(s))
            or dated and SLASH_SOURCE_RE.search(s)):
        return True
    if dated:
        rest = _URLS.sub("", DATE_RE.sub("", s)).strip(" :：|｜/【】[]()（）\u3000-")
        if len(rest) <= 24 and not _CLAUSE_END.search(rest):
            return True
    if len(s) < 50 and _PEOPLE_LABEL.match(s):
        return True
    return (dated or len(s) <= 40) and _bare_labelled(s) is not None
