"""Coverage charts of a release as static SVG: articles per month, by source type, by region
and by keyword.

Hand-written SVG (no script, no fonts, no library that stamps a date or an id into its
output), so that the same articles give the same bytes and the charts open offline in any
browser or Markdown viewer. Ties are broken by label, never by input order.
"""
from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from pipeline.publish.coverage import NONE, Coverage

TOP = 20  # categories shown, most articles first
MAX_MONTHS = 120  # a longer span is shown per year
WIDTH = 640
BAR = "#4a78a8"
INK = "#222"
MUTED = "#666"

CHARTS = (
    ("month", "articles_per_month.svg", "Articles per month (published_at)"),
    ("source_type", "articles_by_source_type.svg", "Articles by source type"),
    ("region", "articles_by_region.svg", "Articles by province-level region named"),
    ("keyword", "articles_by_keyword.svg", "Articles by keyword"),
)


def by_month(articles) -> tuple[list[tuple[str, int]], int, str]:
    """Counts per month from the first to the last, empty months included (a gap is news);
    per year when that span is too long to read. Also the undated count and the unit."""
    c = Coverage.of(articles)
    if c.first is None:
        return [], c.undated, "month"
    lo, hi = c.first, c.last
    span = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    if span > MAX_MONTHS:
        years: Counter = Counter()
        for month, n in c.months.items():
            years[month[:4]] += n
        return [(str(y), years.get(f"{y:04d}", 0)) for y in range(lo.year, hi.year + 1)], c.undated, "year"
    out = []
    y, m = lo.year, lo.month
    for _ in range(span):
        key = f"{y:04d}-{m:02d}"
        out.append((key, c.months.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out, c.undated, "month"


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    """Every category, most articles first. An article can count under several keywords or
    regions, so the tail is cut (``top``), never summed into one misleading bar."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def by_source_type(articles) -> list[tuple[str, int]]:
    return _ranked(Coverage.of(articles).source_types)


def by_region(articles) -> list[tuple[str, int]]:
    """Each article once per province-level region it names (a city counts for its province)."""
    from pipeline.extract.regions import region

    counts: Counter = Counter()
    for code, n in Coverage.of(articles).regions.items():
        r = region(code) if code != NONE else None
        counts[r.name if r else code] += n
    return _ranked(counts)


def by_keyword(articles) -> list[tuple[str, int]]:
    return _ranked(Coverage.of(articles).keywords)


def _text_width(s: str, size: float) -> float:
    """Rough advance of ``s``: a CJK character is one em, anything else about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.58 for ch in s)


def _clip(s: str, size: float, room: float) -> str:
    if _text_width(s, size) <= room:
        return s
    while s and _text_width(s + "…", size) > room:
        s = s[:-1]
    return s + "…"


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_e(title)}" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{_e(title)}</title>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#fff"/>',
        f'<text x="8" y="20" font-size="14" font-weight="bold" fill="{INK}">{_e(title)}</text>',
        *body, "</svg>", ""])


def _empty(title: str) -> str:
    return _svg(WIDTH, 60, title, [f'<text x="8" y="44" fill="{MUTED}">No articles.</text>'])


def bar_chart(title: str, items: list[tuple[str, int]]) -> str:
    """Horizontal bars, one a category, largest first, with its count at the end."""
    if not items:
        return _empty(title)
    size, row, top = 12.0, 20, 34
    label_w = min(200.0, max(_text_width(label, size) for label, _ in items) + 8)
    plot_w = WIDTH - label_w - 16 - 48
    peak = max(n for _, n in items) or 1
    body = []
    for i, (label, n) in enumerate(items):
        y = top + i * row
        w = plot_w * n / peak
        body += [f'<text x="{label_w:.1f}" y="{y + 14}" text-anchor="end" fill="{INK}">'
                 f"{_e(_clip(label, size, label_w - 8))}</text>",
                 f'<rect x="{label_w + 6:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}"/>',
                 f'<text x="{label_w + 10 + w:.1f}" y="{y + 14}" fill="{INK}">{n}</text>']
    return _svg(WIDTH, top + len(items) * row + 10, title, body)


def column_chart(title: str, items: list[tuple[str, int]]) -> str:
    """Vertical bars in time order; at most about twelve axis labels, evenly spaced."""
    if not items:
        return _empty(title)
    left, right, top, plot_h = 40.0, 12.0, 34.0, 160.0
    plot_w = WIDTH - left - right
    step = plot_w / len(items)
    peak = max(n for _, n in items) or 1
    base = top + plot_h
    every = max(1, -(-len(items) // 12))
    body = [f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{WIDTH - right:.1f}" y2="{base:.1f}" stroke="{MUTED}"/>',
            f'<text x="{left - 4:.1f}" y="{top + 4:.1f}" text-anchor="end" fill="{MUTED}">{peak}</text>',
            f'<text x="{left - 4:.1f}" y="{base:.1f}" text-anchor="end" fill="{MUTED}">0</text>']
    for i, (label, n) in enumerate(items):
        h = plot_h * n / peak
        x = left + i * step
        body.append(f'<rect x="{x + step * 0.1:.1f}" y="{base - h:.1f}" width="{max(step * 0.8, 1):.1f}" '
                    f'height="{h:.1f}" fill="{BAR}"><title>{_e(label)}: {n}</title></rect>')
        if i % every == 0:
            body.append(f'<text x="{x + step / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle" '
                        f'font-size="10" fill="{INK}">{_e(label)}</text>')
    return _svg(WIDTH, base + 28, title, body)


_LAST: list = []  # (table, charts) of the last call: the card and the report draw the same table


def render_all(articles) -> dict[str, tuple[str, str]]:
    """file name -> (title, SVG text) for every chart of ``CHARTS``, from the articles (a
    table, a ``TableSource``) or their ``Coverage``; drawn once a table."""
    if _LAST and _LAST[0] is articles:
        return dict(_LAST[1])
    out = _render_all(Coverage.of(articles))
    _LAST[:] = [articles, out]
    return dict(out)


def _render_all(articles: Coverage) -> dict[str, tuple[str, str]]:
    months, undated, unit = by_month(articles)
    month_title = f"Articles per {unit} (published_at, Asia/Shanghai)"
    if undated:
        month_title += f"; {undated} undated not shown"
    data = {"source_type": by_source_type(articles), "region": by_region(articles),
            "keyword": by_keyword(articles)}
    out = {}
    for kind, name, title in CHARTS:
        if kind == "month":
            out[name] = (month_title, column_chart(month_title, months))
            continue
        items = data[kind]
        if len(items) > TOP:
            title = f"{title} (top {TOP} of {len(items)})"
        out[name] = (title, bar_chart(title, items[:TOP]))
    return out


def write_charts(folder: Path, articles) -> list[tuple[str, str]]:
    """Write ``charts/*.svg`` under ``folder``; (path relative to ``folder``, title) of each."""
    out = []
    (folder / "charts").mkdir(parents=True, exist_ok=True)
    for name, (title, svg) in render_all(articles).items():
        (folder / "charts" / name).write_text(svg, "utf-8")
        out.append((f"charts/{name}", title))
    return out
