"""Byline signals: what a 来源/作者/记者/编辑/时间 line says, and whether a line is a byline at all.

Chinese news puts the source, time and people in one or two short lines under the headline
(`时间 : 2021-11-28 16:23:59 来源 : 南方都市报`, `学习时报 / 2022-11-01 10:08:59`) and the
editor at the end (`(责任编辑:张三)`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.clean.pubdate import DATE_RE, find_dates

_LABELS = r"(?:来源|来自|出处|作者|记者|编辑|责任编辑|责编|时间|发布时间|发布日期|发表时间|日期|更新时间|浏览|点击|阅读|字号|字体|分享|打印|通讯员|摄影|供稿|稿源|文章来源|信息来源|浏览次数|访问量)"
_STOP = r"(?=\s{2,}|\s*" + _LABELS + r"\s*[:：]|\s*[【\[|｜]|\s*$|\s+\d{4}[-年/.])"
SOURCE_RE = re.compile(r"(?:文章[来來]源|信息[来來]源|稿件[来來]源|新闻[来來]源|[来來]源|[来來]自|出处|稿源)\s*[:：]\s*(.+?)" + _STOP)
SOURCE_OF_RE = re.compile(r"(?:本文)?(?:来源于|转载自|摘自|转自)\s*[《「]?([^《》「」\s,，。]{2,20}?)[》」]?(?=[\s,，。]|$)")
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


def clean_source(s: str) -> str | None:
    s = s.strip(" :：|｜/【】[]()（）\u3000")
    s = re.sub(r"\s*(作者|编辑|记者|时间|发布)\s*[:：].*$", "", s)
    s = s.strip(" :：|｜/【】[]()（）\u3000")
    if not s or len(s) > 40 or DATE_RE.fullmatch(s) or s.startswith("http"):
        return None
    return s


def parse_byline(line: str) -> Byline:
    """Everything a byline-like line states. Empty fields when it states nothing."""
    b = Byline(dates=find_dates(line))
    m = SOURCE_RE.search(line + "  ")
    if m:
        b.source = clean_source(m.group(1))
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


def is_byline(line: str) -> bool:
    """A short line made of metadata (source, date, author labels), not prose."""
    s = line.strip()
    if not s or len(s) > 90:
        return False
    if SOURCE_RE.search(s + "  ") or TIME_LABEL_RE.search(s) or SLASH_SOURCE_RE.search(s):
        return True
    rest = re.sub(r"https?://\S+|www\.\S+", "", DATE_RE.sub("", s)).strip(" :：|｜/【】[]()（）\u3000-")
    if DATE_RE.search(s) and len(rest) <= 24 and not re.search(r"[，。！？；]", rest):
        return True
    if re.match(r"^[(（]?\s*(作者|记者|本报记者|通讯员|文|撰文)\s*[:：/｜|]", s) and len(s) < 50:
        return True
    return False
