"""From a sequence of text blocks (lines of a dump, or blocks of an HTML tree) to the parts of
an article: where the body runs, and which of its lines are paragraphs, captions or meta."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.clean.markers import classify, squeeze
from pipeline.clean.meta import is_byline
from pipeline.clean.spam import FLAG as SPAM_FLAG, drop_injected
from pipeline.clean.titles import headline_like
from pipeline.clean.signals import (
    date_only_match, is_caption, is_contact_line, is_stamp, line_score, punct_count, visible_len,
)


_LABEL = re.compile(r"^[【\[]?\s*(摘\s*要|内容摘要|核心提示|导读|简介|提要)\s*[】\]]?\s*[:：]?\s*")
PROSE_LINE = 30.0  # a line's own score that makes it a paragraph of prose
_SENTENCE_END = ("。",)  # a headline above a date never ends with a full stop
_MARKER_PENALTY = {"stop": -40.0, "drop": -8.0, "meta": -8.0}


@dataclass
class Block:
    text: str
    link_ratio: float = 0.0
    heading: bool = False
    score: float = 0.0
    table_row: bool = False  # the cells of one row of a data table: content, never a byline


@dataclass
class Parts:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    meta_lines: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)


def score_blocks(blocks: list[Block]) -> None:
    """Set each block's score: its own prose score, marker penalties, and the penalty for being
    part of a date-stamped headline run (headline, snippet, date; repeated). The per-line
    answers are asked through ``map`` (no Python frame a block), a line's markers only when it
    is not a byline, and its length only below a dated line: the answers are the same."""
    n = len(blocks)
    texts = [b.text for b in blocks]
    dated = list(map(date_only_match, map(str.strip, texts)))
    byline = list(map(is_byline, texts))
    scores = list(map(line_score, texts, [b.link_ratio for b in blocks]))
    prose_above = False
    for i, text in enumerate(texts):
        s = scores[i]
        # a line below prose that ends a sentence closes the body above a signature date
        ends = prose_above and text.rstrip().endswith(_SENTENCE_END)
        prose_above = prose_above or s >= PROSE_LINE
        if byline[i] or (i + 1 < n and byline[i + 1] and not ends and headline_like(text)):
            s = min(s, 0.0) - 6.0
        elif (m := classify(text)) is not None:
            s = min(s, 0.0) + _MARKER_PENALTY[m.action]
        elif (not ends and (i + 1 < n and dated[i + 1] or i + 2 < n and dated[i + 2])
              and visible_len(text) < 70):
            s = min(s, 0.0) - 6.0
        blocks[i].score = s
    _link_walls(blocks)
    _teaser_runs(blocks)


LINK_WALL = 4  # consecutive link lines that a body run does not cross
WALL_SCORE = -25.0


def _link_walls(blocks: list[Block]) -> None:
    """A stretch of LINK_WALL or more link lines (a menu, a headline list) is a border the
    article does not run across: each of its lines costs WALL_SCORE, so that prose teasers
    beyond it cannot pull the body run over it."""
    linked = [b.link_ratio >= 0.5 for b in blocks]
    i, n = 0, len(blocks)
    while i < n:
        if not linked[i]:
            i += 1
            continue
        j = i + 1
        while j < n and linked[j]:
            j += 1
        if j - i >= LINK_WALL:
            for b in blocks[i:j]:
                b.score = min(b.score, WALL_SCORE)
        i = j


TEASER_RUN = 3  # stamped items in a row that make a list of teasers
TEASER_PAIR = 2  # fewer will do when no stamp is a byline (linked headlines, '3小时前')


def _teaser_runs(blocks: list[Block]) -> None:
    """Prose right under a stamp line (linked headline, date, '3小时前') is a teaser when the
    pattern repeats: a list of other articles with their summaries. One such pair is just
    an article under its byline; a few pairs close together are a list, and its prose turns
    negative. A byline-like stamp (a bare date) needs TEASER_RUN pairs, since an article may
    print its dateline twice; other stamps need only TEASER_PAIR. A heading is never a
    teaser: it is the page's headline under a login link or a menu. Nor is a widget line (a
    row of share buttons) a list item's headline."""
    pairs = [i for i in range(1, len(blocks))
             if blocks[i].score > 0 and not blocks[i].heading
             and is_stamp(blocks[i - 1].text, blocks[i - 1].link_ratio) and classify(blocks[i - 1].text) is None]
    group: list[int] = []
    for i in pairs + [None]:
        if i is not None and (not group or i - group[-1] <= 3):
            group.append(i)
            continue
        need = TEASER_RUN if any(is_byline(blocks[j - 1].text) for j in group) else TEASER_PAIR
        if len(group) >= need:
            for j in group:
                blocks[j].score = -0.5 * blocks[j].score
        group = [i] if i is not None else []


def best_run(scores: list[float]) -> tuple[int, int]:
    """The contiguous run with the largest sum (Kadane): [start, end)."""
    best, best_se = 0.0, (0, 0)
    cur, cur_s = 0.0, 0
    for i, s in enumerate(scores):
        if cur <= 0:
            cur, cur_s = s, i
        else:
            cur += s
        if cur > best:
            best, best_se = cur, (cur_s, i + 1)
    return best_se


def run_value(scores: list[float]) -> float:
    """The sum of the best run."""
    a, b = best_run(scores)
    return sum(scores[a:b])


def _bump(d: dict[str, int], k: str, n: int = 1) -> None:
    d[k] = d.get(k, 0) + n


SIGNED_OFF = 100  # body characters above an editor line (责任编辑：…) that it signs off


def finish(blocks: list[Block]) -> Parts:
    """Sort the body run's lines into paragraphs, captions and meta; cut at a tail section."""
    out = Parts()
    in_contact = False
    for i, b in enumerate(blocks):
        text = squeeze(b.text)
        if not text:
            continue
        if is_caption(text):
            out.captions.append(text)
            continue
        if is_byline(text) and not b.table_row and (not out.paragraphs or punct_count(text) <= 2):
            out.meta_lines.append(text)
            continue
        m = classify(text)
        if m is not None:
            if m.action == "stop" and out.paragraphs:
                _bump(out.removed, m.kind, len(blocks) - i)
                break
            if m.action == "meta":
                out.meta_lines.append(text)
                in_contact = m.kind == "contact"
            _bump(out.removed, m.kind)
            if m.kind == "editor" and sum(len(p) for p in out.paragraphs) >= SIGNED_OFF:
                _bump(out.removed, "after_editor", len(blocks) - i - 1)
                break
            continue
        if in_contact and (is_contact_line(text) or visible_len(text) <= 12):
            _bump(out.removed, "contact")
            continue
        in_contact = False
        if is_contact_line(text):
            _bump(out.removed, "contact")
            continue
        if is_caption(text):
            out.captions.append(text)
            continue
        if b.link_ratio > 0.5:
            _bump(out.removed, "links")
            continue
        label = _LABEL.match(text)
        if label:
            text = text[label.end():].strip()
            if not text:
                _bump(out.removed, "label")
                continue
        out.paragraphs.append(text)
    rows = {squeeze(b.text) for b in blocks if b.table_row}
    while (out.paragraphs and is_byline(out.paragraphs[-1]) and punct_count(out.paragraphs[-1]) <= 3
           and out.paragraphs[-1] not in rows):
        out.meta_lines.append(out.paragraphs.pop())
    out.paragraphs = _dedupe(drop_second_copy(out.paragraphs))
    return out


def drop_spam(parts: Parts, title: str) -> list[str]:
    """Drop injected paragraphs from the body; the article's flags ([FLAG] if any went)."""
    parts.paragraphs, gone = drop_injected(parts.paragraphs, title)
    if not gone:
        return []
    _bump(parts.removed, SPAM_FLAG, gone)
    return [SPAM_FLAG]


COPY_SHARED = 0.8  # share of a tail's character pairs found in the body before it: a copy


def _pairs(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(len(text) - 1):
        k = text[i:i + 2]
        out[k] = out.get(k, 0) + 1
    return out


def drop_second_copy(paras: list[str]) -> list[str]:
    """Cut a second copy of the article (for mobile or elder-mode reading) that follows it,
    however its paragraphs are split: a tail that starts as the body starts, about as long,
    whose character pairs are nearly all the body's."""
    if len(paras) < 2:
        return paras
    keys = ["".join(p.split()) for p in paras]
    lead = keys[0][:COPY_KEY]
    if len(lead) < COPY_KEY:
        return paras
    for j in range(1, len(keys)):
        if not keys[j].startswith(lead):
            continue
        head, tail = "".join(keys[:j]), "".join(keys[j:])
        if not 0.6 <= len(tail) / len(head) <= 1.4:
            continue
        hp, tp = _pairs(head), _pairs(tail)
        common = sum(min(n, hp.get(k, 0)) for k, n in tp.items())
        if common >= COPY_SHARED * max(1, len(tail) - 1):
            return paras[:j]
    return paras


COPY_KEY = 12  # characters at both ends that a second copy of a paragraph repeats
COPY_MIN = 30


def _dedupe(paras: list[str]) -> list[str]:
    """Drop repeats and a summary that the next paragraph repeats (摘要 lines, teasers). A
    repeat is also a near copy (a mobile or elder-mode copy of the article that differs in a
    phrase or a character inside): same length within a quarter, the same start and end."""
    out: list[str] = []
    seen: set[str] = set()
    ends: dict[tuple[str, str], int] = {}
    for i, p in enumerate(paras):
        key = "".join(p.split())
        if key in seen:
            continue
        end = (key[:COPY_KEY], key[-COPY_KEY:])
        if len(key) >= COPY_MIN and end in ends and 0.75 <= len(key) / ends[end] <= 1.33:
            continue
        nxt = "".join(paras[i + 1].split()) if i + 1 < len(paras) else ""
        stem = key.rstrip(".…。")
        if nxt and len(stem) >= 20 and len(nxt) > len(stem) and nxt.startswith(stem[:40]):
            continue
        seen.add(key)
        if len(key) >= COPY_MIN:
            ends.setdefault(end, len(key))
        out.append(p)
    return out
