"""Line signals: how much a line of visible text looks like article prose.

Prose is long and punctuated; navigation, headline lists and widgets are short, bare of
sentence punctuation, or made of links. One score a line lets both the text-dump and the
HTML path find the article as the best-scoring run of lines.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pipeline.clean.memo import per_line

_DATA = Path(__file__).resolve().parents[1] / "data" / "clean_signals.yaml"

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}[-－—\s]?\d{7,8}|\d{3,4}-\d{7,8}|400[-\s]?\d{3}[-\s]?\d{4})(?!\d)")
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL_RE = re.compile(r"^(https?://|www\.)\S+$")
MARKUP_RE = re.compile(r"^\s*</?[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?/?>")  # a dump's line of page source
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_DATE_ONLY = re.compile(
    r"^[\[(（【]?\s*((19|20)\d\d\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(\s*\d{1,2}[:：]\d{1,2}([:：]\d{1,2})?)?\s*[\])）】]?$")


@lru_cache(maxsize=1)
def data() -> dict:
    from pipeline.clean import yamlfile
    from pipeline.clean.markers import literal_screen

    d = yamlfile.load(_DATA.read_text("utf-8"))
    d["caption_res"] = [re.compile(p) for p in d["caption_patterns"]]
    d["caption_screen"] = literal_screen(d["caption_res"])
    d["punct_set"] = frozenset(d["sentence_punct"])
    d["punct_re"] = re.compile("[" + "".join(map(re.escape, sorted(d["punct_set"]))) + "]")
    return d


def visible_len(s: str) -> int:
    return len(s) - s.count(" ") - s.count("\u3000") - s.count("\t") - s.count("\xa0")


def punct_count(s: str) -> int:
    return len(data()["punct_re"].findall(s))


def cjk_ratio(s: str) -> float:
    n = visible_len(s)
    return len(CJK_RE.findall(s)) / n if n else 0.0


_STAMP = re.compile(
    r"((19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s*\d{1,2}:\d\d"
    r"|\d+\s*(秒|分鐘|分钟|小時|小时|天|日|週|周|個月|个月|年)前|昨天|前天|剛剛|刚刚)")


@per_line
def is_stamp(s: str, link_ratio: float = 0.0) -> bool:
    """A short line that heads an item of a list: a linked headline, or a line carrying a
    date or a relative time ('3小时前')."""
    n = visible_len(s)
    return 0 < n <= 80 and punct_count(s) <= 2 and (link_ratio >= 0.5 or bool(_STAMP.search(s)))


date_only_match = _DATE_ONLY.match  # of a stripped line: a match or None


def is_date_only(s: str) -> bool:
    return bool(_DATE_ONLY.match(s.strip()))


@per_line
def is_caption(s: str) -> bool:
    """A photo caption or credit: short, and ends with 摄/供图 or says 资料图片/图片来源."""
    s = s.strip()
    if len(s) > 90:
        return False
    d = data()
    found, always = d["caption_screen"]
    return any(r.search(s) for r in (d["caption_res"] if found is None or found(s) else always))


_ANY_DIGIT = re.compile(r"\d")


def has_contact(s: str) -> bool:
    """A phone number or an e-mail address in s. Both patterns open with a look-behind, which
    the regex engine tries at every position; a phone needs a digit and an address an '@',
    which are found faster."""
    return bool(_ANY_DIGIT.search(s) and PHONE_RE.search(s) or "@" in s and EMAIL_RE.search(s))


def is_contact_line(s: str) -> bool:
    """A line that is mostly a phone number or e-mail, with at most a name or label around it."""
    if not has_contact(s):
        return False
    rest = EMAIL_RE.sub("", PHONE_RE.sub("", s))
    return visible_len(rest) <= 30 or punct_count(rest) <= 2 and visible_len(rest) <= 60


def is_nav_run(s: str) -> bool:
    """A line of several short space-separated tokens: a menu ('品牌 资讯 搭配 材料')."""
    toks = s.split()
    return len(toks) >= 4 and all(len(t) <= 6 for t in toks) and punct_count(s) == 0


@per_line
def line_score(s: str, link_ratio: float = 0.0) -> float:
    """Signed score: positive for prose, negative for furniture; magnitude grows with length."""
    n = visible_len(s)
    if n == 0:
        return 0.0
    p = punct_count(s)
    own = n * (1.0 - link_ratio)
    if link_ratio > 0.5:
        return -4.0 - n * link_ratio * 0.5
    if is_date_only(s) or URL_RE.match(s.strip()) or MARKUP_RE.match(s):
        return -6.0
    if p == 0:
        if is_nav_run(s):
            return -8.0
        return -6.0 if n < 40 else own * 0.25 - 6.0
    # density: a line with one comma in 80 characters is likely prose too
    return own - 12.0 - n * link_ratio
