"""Gather the dates a page states and choose the publication date, most telling first.

A page's dates disagree. A mirror's <meta> carries the mirror's crawl date while the header
states the article's own; an official document shows when it was signed (成文日期) and when it
was posted (发布日期); a CMS stamps when it generated the page (生成日期). First comes the date
the page labels as published or a document's signing date (in the order data/date_labels.yaml
gives); then <meta>; then the byline, script variables, a labelled date elsewhere, generation
stamps (生成日期, 更新时间), the lead, the URL, relative dates ('昨天'); any other date the
markup declares (dateUpdate) is the last resort. A visible labelled date (or one in a byline
that names the source) beats a <meta> date later than it (a mirror's crawl date), never one
earlier. Nothing here reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import compress, repeat

from pipeline.clean.memo import per_line
from pipeline.clean.meta import is_byline, labelled_source
from pipeline.clean.pubdate import (
    classified_dates, has_century, has_digit, date_from_url, not_after, relative_ages, resolve_age, squash, to_iso, vocab,
    yearless_dates,
)

BEIJING = timezone(timedelta(hours=8))


@dataclass
class DateSignals:
    """What a page states about its date, by kind; each list in page order."""
    published: list[str] = field(default_factory=list)  # visible, labelled 发布日期/发表于…
    signed: list[str] = field(default_factory=list)  # 成文日期/发文日期
    meta: list[str] = field(default_factory=list)  # <meta>, JSON-LD
    byline: list[str] = field(default_factory=list)  # visible in the byline, 时间：… or bare
    labelled_byline: list[str] = field(default_factory=list)  # the byline dates a label introduces
    shown: list[str] = field(default_factory=list)  # printed by an inline script (showDate("…"))
    script: list[str] = field(default_factory=list)  # script variables named for publication
    created: list[str] = field(default_factory=list)  # script variables named for creation (ct)
    stamped: list[str] = field(default_factory=list)  # the machine time on a stamp (<abbr title>)
    anywhere: list[str] = field(default_factory=list)  # a labelled date elsewhere on the page
    text: list[str] = field(default_factory=list)  # a dateline in the lead
    generated: list[str] = field(default_factory=list)  # 生成日期/更新时间
    donors: list[str] = field(default_factory=list)  # any other full date of the markup (dateUpdate)
    yearless: list[tuple[str, tuple]] = field(default_factory=list)  # from yearless_dates
    relative: list[tuple[str, int]] = field(default_factory=list)  # from relative_ages
    reference: list[str] = field(default_factory=list)  # the server's clock in a script


STAMP_LEN = 30
LABEL_LEN = 100
LABEL_SCAN = 200  # label_lines skips a line this long


def date_signals(region: list[str], page: list[str], byline: list[str], near: list[str],
                 stamps: list[str]) -> DateSignals:
    """The visible date signals: dates a label introduces in the region (the page down to the
    end of the body; not a word after the date, as in '最新文章于 … 发布'), byline dates (the
    byline lines, nearest the body first, then the lines under the headline), a labelled date
    anywhere as a fallback, and relative dates ('昨天') on the short stamp lines near the headline. A byline date counts as labelled when a label introduces
    it or the line names the source (日期：… · 2024-05-30 来源：…): it states the article's own."""
    sig = DateSignals()
    seen: dict[str, list[tuple[str, str]]] = {}

    def classified(t: str) -> list[tuple[str, str]]:
        if t not in seen:
            seen[t] = classified_dates(t)
        return seen[t]

    for t in label_lines(region):
        if len(t) > LABEL_LEN or not has_digit(t):
            continue
        for (kind, iso), (before, _) in zip(classified(t), classified_dates(t, after=False)):
            if before == "published":
                sig.published.append(iso)
            elif before == "signed":
                sig.signed.append(iso)
            elif kind == "generated":
                sig.generated.append(iso)
        sig.yearless += yearless_dates(t)
    lines = [s for s in byline if is_byline(s)] + [s for s in near if len(s) <= 90]
    for t in lines:
        if not has_century(t):  # a line without one has no full date to classify
            continue
        sourced = labelled_source(t) is not None
        for kind, iso in classified(t):
            if kind in ("published", "generic") or (sourced and kind == ""):
                sig.labelled_byline.append(iso)
            if kind in ("published", "generic", ""):
                sig.byline.append(iso)
    sig.anywhere = next(([iso] for t in _century_label_lines(page) for kind, iso in classified(t)
                         if kind in ("published", "generic")), [])
    for t in stamps:
        if len(t) <= STAMP_LEN:
            sig.relative += relative_ages(t)
    sig.published, sig.signed, sig.generated = sig.published[:1], sig.signed[:1], sig.generated[:1]
    return sig


def label_lines(texts: list[str]) -> list[str]:
    """Short lines, a bare label ('发布日期：', or a known label alone in its cell: '成文日期')
    joined to the value in the next cell."""
    return list(_label_lines(texts))


def _label_lines(texts: list[str]):
    """label_lines one at a time, for a reader that stops at the first date it wants."""
    n = len(texts)
    for i, t in enumerate(texts):
        if len(t) >= 200:
            continue
        if len(t) <= 12 and i + 1 < n and (t.endswith((":", "：")) or _known_label(t)):
            t = t + " " + texts[i + 1][:60]
        yield t


def _century_label_lines(texts: list[str]):
    """The label_lines that hold a '19' or '20' (either width: a line without has no full
    date), one at a time. A label line has one only when its line has one or, joined to the
    next, that line's start has one (the joining space keeps a match from spanning the two):
    the lines are screened by one C-level ``map`` of the search, not a Python step a line. The
    screen reads a line's first LABEL_SCAN characters: a longer line is no label line, only
    the start of the next line joined to one."""
    hits = list(compress(range(len(texts)), map(has_century, texts, repeat(0), repeat(LABEL_SCAN))))
    for i in sorted({*hits, *(i - 1 for i in hits if i)}):
        t = texts[i]
        if len(t) >= LABEL_SCAN:
            continue
        if len(t) <= 12 and i + 1 < len(texts) and (t.endswith((":", "：")) or _known_label(t)):
            t = t + " " + texts[i + 1][:60]
        if has_century(t):
            yield t


@per_line
def _known_label(t: str) -> bool:
    """A known label alone ('成 文 日 期'), compared squashed: kept a line, since the readers
    walk the page's short lines more than once."""
    return squash(t) in vocab()["label_kind"]


def pick_date(sig: DateSignals, url: str | None, fetched_at: datetime | None) -> tuple[str | None, str | None]:
    """(iso, source) for the page, source meta|header|text|url."""
    sig = _complete_yearless(sig, url)
    meta = [d for d in sig.meta if _valid(d, fetched_at)]
    first = meta[0][:10] if meta else None
    published = [d for d in sig.published if first is None or d[:10] <= first]
    tiers = {"published": published, "signed": sig.signed}
    cands = [("header", d) for kind in vocab()["precedence"] for d in tiers[kind]]
    if first:
        cands += [("header", d) for d in sig.labelled_byline if d[:10] < first]
    cands += [("meta", d) for d in sig.meta]
    cands += [("header", d) for d in sig.published + sig.byline + sig.shown + sig.stamped]
    cands += [("meta", d) for d in sig.script + sig.created]
    cands += [("header", d) for d in sig.anywhere]
    cands += [("header", d) for d in sig.generated]
    cands += [("text", d) for d in sig.text]
    u = date_from_url(url)
    if u:
        cands.append(("url", u))
    ref = _reference(sig, fetched_at)
    if ref is not None:
        cands += [("header", resolve_age(a, ref)) for a in sig.relative]
    cands += [("meta", d) for d in sig.donors[:1]]
    return choose_date(cands, None, fetched_at)


def choose_date(candidates: list[tuple[str, str | None]], url: str | None,
                fetched_at: datetime | None) -> tuple[str | None, str | None]:
    """candidates: (source, iso) in order of trust; the URL comes last. Dates after the fetch
    (or, without one, after today) are refused. A day-only candidate is upgraded with the time
    of a later candidate for the same day."""
    cands = [(src, iso) for src, iso in candidates if _valid(iso, fetched_at)]
    u = date_from_url(url)
    if u and not_after(u, fetched_at):
        cands.append(("url", u))
    if not cands:
        return None, None
    src, iso = cands[0]
    if len(iso) == 10:
        for _, other in cands[1:]:
            if len(other) > 10 and other[:10] == iso:
                return other, src
    return iso, src


def _valid(iso: str | None, fetched_at: datetime | None) -> bool:
    return bool(iso) and not_after(iso, fetched_at)


def _reference(sig: DateSignals, fetched_at: datetime | None) -> datetime | None:
    """The time a relative date counts back from, in Beijing time: the server clock a script
    states, else the fetch time; None when neither is known."""
    if sig.reference:
        return datetime.fromisoformat(sig.reference[0][:19])
    if fetched_at is None:
        return None
    if fetched_at.tzinfo is not None:
        fetched_at = fetched_at.astimezone(BEIJING).replace(tzinfo=None)
    return fetched_at


def _complete_yearless(sig: DateSignals, url: str | None) -> DateSignals:
    """Give a visible yearless date ('发布时间：10-08') its year: from a full date of the page for
    the same month and day (any <meta>, script, URL), else from the earliest such date, a year
    back when the month and day fall after it. Without any full date it stays unknown."""
    if not sig.yearless:
        return sig
    kind, (y, mo, d, hh, mi) = sig.yearless[0]
    full = [x for x in sig.meta + sig.donors + sig.script + sig.created + sig.shown + sig.stamped
            + sig.byline + sig.reference if x]
    u = date_from_url(url)
    if u:
        full.append(u)
    same = [x for x in full if (int(x[5:7]), int(x[8:10])) == (mo, d) and (y is None or int(x[:4]) == y)]
    if same:
        iso = same[0]
    elif y is not None:
        iso = to_iso(y, mo, d, hh, mi)
    elif full:
        ref = date.fromisoformat(min(x[:10] for x in full))
        iso = to_iso(ref.year - 1 if (mo, d) > (ref.month, ref.day) else ref.year, mo, d, hh, mi)
    else:
        return sig
    if iso is None:
        return sig
    if kind == "published":
        return _with(sig, published=[iso] + sig.published)
    return _with(sig, labelled_byline=[iso] + sig.labelled_byline, byline=[iso] + sig.byline)


def _with(sig: DateSignals, **changes) -> DateSignals:
    from dataclasses import replace

    return replace(sig, **changes)
