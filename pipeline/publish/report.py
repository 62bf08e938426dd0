"""The front page of a release (``report.html``): what a data steward asks first, on one page.

Published or blocked and why; per table the rows that came in, were quarantined and were
released; each failed expectation in words with a few of the rows that failed it; the pages
rejected, by reason, with examples; the articles added, removed and changed since the
previous release; coverage charts; links to the Great Expectations Data Docs and the
rejected rows. A blocked run gets the same page beside its Data Docs.

Static HTML with inline SVG charts: no script (a Content-Security-Policy allows none), no
network, every value HTML-escaped after PII redaction, and the same release gives the same
bytes.
"""
from __future__ import annotations

import html
import json
import logging
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa

from pipeline.normalize.pii import redact_text
from pipeline.publish import charts
from pipeline.tables import RELEASED, TABLES

EXAMPLES = 5  # failing rows shown per expectation
PAGE_EXAMPLES = 3  # rejected pages shown per reason
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'none'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")
STYLE = """
body{font-family:sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;color:#222;line-height:1.4}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;
vertical-align:top}td.n,th.n{text-align:right}.verdict{padding:.8em 1em;border-radius:4px;font-size:1.1em}
.ok{background:#e6f4ea;border:1px solid #7cb98a}.bad{background:#fce8e6;border:1px solid #d9837a}
.muted{color:#666}.fail{border-left:4px solid #d9837a;padding-left:.8em;margin:1em 0}
.block{font-weight:bold;color:#a33}code{background:#f3f3f3;padding:0 .2em}figure{margin:1em 0}
"""


@cache
def words() -> dict:
    """The plain words of ``pipeline/data/report_words.yaml``."""
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("pipeline").joinpath("data", "report_words.yaml").read_text("utf-8"))


def _e(v: Any) -> str:
    """A value as page text: PII redacted, then escaped; None as a dash."""
    return "—" if v is None else html.escape(redact_text(str(v)), quote=True)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _param(v: Any) -> str:
    if isinstance(v, dict) and "$PARAMETER" in v:
        return words()["parameters"].get(v["$PARAMETER"], v["$PARAMETER"])
    if isinstance(v, (list, tuple)):
        shown = ", ".join(str(x) for x in v[:8])
        return shown + (f" … ({len(v)} in all)" if len(v) > 8 else "")
    return str(v)


def _suite_entry(suites: dict, r: dict) -> dict | None:
    for e in suites.get(r["table"], {}).get("expectations", []):
        kw = e.get("kwargs", {})
        column = kw.get("column") or (",".join(kw["column_list"]) if kw.get("column_list") else None)
        if e.get("type") == r["expectation"] and column == r["column"] \
                and (e.get("meta") or {}).get("family") == r.get("family"):
            return e
    return None


def expected_in_words(r: dict, suites: dict) -> tuple[str, str | None]:
    """What a result's expectation asks, in words, and the suite's note on why (if any)."""
    entry = _suite_entry(suites, r) or {"kwargs": {"column": r["column"]}, "meta": {}}
    for fk in TABLES[r["table"]].foreign_keys if r["table"] in TABLES else ():
        if r["column"] == f"{fk.table}.{fk.reference[0]}":
            return (words()["foreign_key"].format(column=fk.columns[0], parent=r["column"]),
                    (entry.get("meta") or {}).get("notes"))
    kwargs = _Blank({k: _param(v) for k, v in entry.get("kwargs", {}).items()})
    template = words()["expectations"].get(r["expectation"])
    text = template.format_map(kwargs) if template else f"{r['expectation']}({r['column'] or ''})"
    return text, (entry.get("meta") or {}).get("notes")


def _quarantined_by_table(report) -> dict[str, int]:
    keys = {(q["table"], q["key"]) for q in (report.quarantined if report else [])}
    return dict(Counter(t for t, _ in keys))


def _table(head: list[str], rows: Iterable[list[str]], numeric: set[int] = frozenset()) -> str:
    th = "".join(f'<th{" class=n" if i in numeric else ""}>{h}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{c}</td>' for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _label(r: dict) -> str:
    from pipeline.validate.run import label

    return label(r["expectation"], r["column"], r.get("family"))


def _limits_text(limits: dict) -> str:
    if not limits:
        return ""
    score = limits.get("min_topic_score")
    kept = ("every page, on topic or not (<code>--min-topic-score 0</code>)" if score == 0
            else f"pages with a topic score of at least {_e(score)}")
    return f"The run kept {kept} whose body has at least {_e(limits.get('min_chars'))} characters."


def _verdict(published: bool, report, rows_out: dict, pages: dict, limits: dict, suites: dict) -> str:
    if published:
        if report is None:
            why = "Validation was skipped for this release."
        else:
            first = [r for r in report.results if r["pass"] == "input"]
            q = sum(_quarantined_by_table(report).values())
            why = (f"{sum(r['success'] for r in first)} of {len(first)} expectations were met on the input; "
                   f"{q} rows that failed one were quarantined (moved to <code>rejected.parquet</code>) and the rest released.")
        return (f'<div class="verdict ok"><b>Published.</b> {rows_out.get("articles", 0)} articles released. '
                f"{why}</div>")
    parts = ['<div class="verdict bad"><b>Blocked: nothing was published.</b> '
             "The latest release of this output folder, if there is one, is unchanged."]
    if report is not None and report.rows_in.get("articles", 0) == 0:
        reasons = sorted(((n, r) for r, n in pages.items() if r != "duplicate_of"), key=lambda x: (-x[0], x[1]))
        parts.append(" No page became an article: "
                     + (", ".join(f"{n} {_e(r)}" for n, r in reasons) or "no page came in") + ".")
        for _, r in reasons[:2]:
            hint = words()["reasons"].get(r)
            if hint:
                parts.append(f" <i>{_e(r)}</i>: {_e(hint.format_map(_Blank({k: str(v) for k, v in limits.items()})))}.")
    for r in (report.blocked if report else []):
        text, _ = expected_in_words(r, suites)
        parts.append(f" A check that guards the whole release failed: <b>{_e(r['table'])}</b> expected "
                     f"{_e(text)}; observed {_e(r['observed'])}"
                     + (f" ({_e(r['unexpected_count'])} rows)" if r.get("unexpected_count") else "") + ".")
    return "".join(parts) + "</div>"


def _examples(report, r: dict) -> tuple[list[dict], list[dict]]:
    """The quarantined rows of a failed result, and the few of them the page shows."""
    rows = [q for q in report.quarantined if q["table"] == r["table"] and q["expectation"] == _label(r)]
    return rows, sorted(rows, key=lambda q: q["key"])[:EXAMPLES]


def _shown_articles(report) -> set[str]:
    """The articles whose titles the failed expectations' examples show."""
    if report is None:
        return set()
    return {a for r in report.results if not r["success"] for q in _examples(report, r)[1]
            if (a := _article_of(q)) is not None}


def _failures(report, suites: dict, titles: dict[str, str]) -> list[str]:
    if report is None:
        return ["<p>Validation was skipped.</p>"]
    failed = [r for r in report.results if not r["success"]]
    if not failed:
        return [f"<p>All {len(report.results)} expectation results passed.</p>"]
    out = []
    blocked = {(b["table"], b["expectation"], b["column"], b["pass"]) for b in report.blocked}
    for r in failed:
        text, note = expected_in_words(r, suites)
        is_block = (r["table"], r["expectation"], r["column"], r["pass"]) in blocked
        rows, shown = _examples(report, r)
        effect = ('<span class="block">blocked the release</span>' if is_block else
                  f"{_rows(len({q['key'] for q in rows}))} quarantined" if rows else "no rows moved")
        count = _rows(r["unexpected_count"]) + " failed; " if r.get("unexpected_count") is not None else ""
        out.append(f'<div class="fail"><p><b>{_e(r["table"])}</b> ({_e(r["pass"])} pass): expected {_e(text)}. '
                   f"{_e(count)}observed {_e(r['observed'])}. Effect: {effect}.<br>"
                   f'<span class="muted"><code>{_e(_label(r))}</code>'
                   + (f" — {_e(note)}" if note else "") + "</span></p>")
        if rows:
            out.append(_table(["row key", "article title", "value that failed"],
                              [[_e(q["key"]), _e(titles.get(_article_of(q)) if _article_of(q) else None),
                                _e(q["observed"])] for q in shown]))
            if len(rows) > EXAMPLES:
                out.append(f'<p class="muted">and {len(rows) - EXAMPLES} more in <code>rejected.parquet</code>.</p>')
        out.append("</div>")
    return out


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _article_of(q: dict) -> str | None:
    if q["table"] == "articles" or "article_id" in TABLES[q["table"]].primary_key:
        try:
            return json.loads(q["key"])[0]
        except (ValueError, IndexError, TypeError):
            return None
    return None


def _rejected_pages(rejected: pa.Table, limits: dict) -> list[str]:
    wanted = [c for c in ("reason", "table", "path", "url", "page_id", "detail", "title") if c in rejected.column_names]
    rows = [r for r in rejected.select(wanted).to_pylist() if r.get("table") in (None, "articles")]
    if not rows:
        return ["<p>No page was rejected.</p>"]
    by_reason: dict[str, list[dict]] = {}
    for r in rows:
        by_reason.setdefault(r["reason"], []).append(r)
    fill = _Blank({k: str(v) for k, v in limits.items()})
    out_rows = []
    for reason, rs in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        meaning = words()["reasons"].get(reason)
        examples = sorted(rs, key=lambda r: (r.get("path") or "", r.get("url") or "", r.get("page_id") or ""))
        shown = "<br>".join(
            _e(r.get("path") or r.get("url") or r.get("page_id"))
            + (f" — {_e(r['title'])}" if r.get("title") else "")
            + (f' <span class="muted">({_e(r["detail"])})</span>' if r.get("detail") else "")
            for r in examples[:PAGE_EXAMPLES])
        if len(rs) > PAGE_EXAMPLES:
            shown += f'<br><span class="muted">and {len(rs) - PAGE_EXAMPLES} more</span>'
        out_rows.append([_e(reason), str(len(rs)), _e(meaning.format_map(fill)) if meaning else "", shown])
    return [_table(["reason", "pages", "what it means", "examples"], out_rows, {1})]


def _changes(diff: dict | None, changes: dict | None) -> list[str]:
    if not diff:
        return ["<p>This is the first release of this output folder.</p>"]
    out = [f"<p>From release {_e(diff['old'])} to {_e(diff['new'])}, rows matched by primary key:</p>",
           _table(["table", "rows before", "rows now", "added", "removed", "changed"],
                  [[_e(n), *(str(t[k]) for k in ("old_rows", "new_rows", "added", "removed", "changed"))]
                   for n, t in diff["tables"].items()], {1, 2, 3, 4, 5})]
    for kind, c in (changes or {}).items():
        if not c["count"]:
            continue
        out.append(f"<h3>Articles {kind} ({c['count']})</h3><ul>")
        out += [f"<li><code>{_e(a['article_id'])}</code> {_e(a['title'])}</li>" for a in c["articles"]]
        if c["more"]:
            out.append(f'<li class="muted">and {c["more"]} more</li>')
        out.append("</ul>")
    return out


def render(version: str, *, published: bool, report, released, rejected: pa.Table,
           run_info: dict, diff: dict | None = None, changes: dict | None = None,
           links: list[tuple[str, str]] = ()) -> str:
    """The page as text; ``released`` (``coverage.Released``) sums up the released tables
    (blocked: the tables validated)."""
    from pipeline.publish.release import page_counts
    from pipeline.validate.suites import load_suites

    suites = load_suites()
    limits = run_info.get("limits") or {}
    pages = page_counts(rejected)
    quarantined = _quarantined_by_table(report)
    rows_in = dict(report.rows_in) if report else {n: released.rows[n] for n in RELEASED}
    rows_out = ({n: released.rows[n] for n in RELEASED} if published else {n: 0 for n in RELEASED})
    wanted = _shown_articles(report)
    titles = released.titles(wanted)
    if wanted and "title" in rejected.column_names:
        titles.update((k, r["title"]) for r in rejected.select(["table", "key", "title"]).to_pylist()
                      if r["table"] == "articles" and r["key"] and r["title"] and (k := json.loads(r["key"])[0]) in wanted)
    state = "published" if published else "blocked"
    out = ["<!DOCTYPE html>", '<html lang="en"><head>', '<meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           f"<title>DGN release {_e(version)}: {state}</title>", f"<style>{STYLE}</style>", "</head><body>",
           f"<h1>DGN release {_e(version)}{'' if published else ': not published'}</h1>",
           _verdict(published, report, rows_out, pages, limits, suites)]
    if limits:
        out.append(f"<p>{_limits_text(limits)}</p>")
    if run_info.get("pages_in") is not None:
        others = sum(n for r, n in pages.items() if r != "duplicate_of")
        out.append(f"<p>{_e(run_info['pages_in'])} pages went in: {rows_out['articles']} articles released, "
                   f"{pages.get('duplicate_of', 0)} duplicates folded into an article, {others} pages rejected "
                   "(by reason below).</p>")
    out += ["<h2>Rows per table</h2>",
            _table(["table", "rows in", "quarantined", "released"],
                   [[_e(n), str(rows_in.get(n, 0)), str(quarantined.get(n, 0)), str(rows_out[n])] for n in RELEASED],
                   {1, 2, 3})]
    out += ["<h2>Failed expectations</h2>", *_failures(report, suites, titles)]
    out += ["<h2>Pages rejected, by reason</h2>", *_rejected_pages(rejected, limits)]
    out += ["<h2>Changes since the previous release</h2>",
            *(_changes(diff, changes) if published else ["<p>Nothing was published, so nothing changed.</p>"])]
    out.append(f"<h2>Coverage{'' if published else ' of the articles that were validated'}</h2>")
    for name, (title, svg) in charts.render_all(released.coverage).items():
        out.append(f'<figure><a href="charts/{_e(name)}">{svg}</a></figure>')
    out += ["<h2>Files</h2>", "<ul>"]
    out += [f'<li><a href="{_e(href)}">{_e(href)}</a>: {_e(what)}</li>' for href, what in links]
    out += ["</ul>", "</body></html>", ""]
    return "\n".join(out)


RELEASE_LINKS = [
    ("validation/index.html", "the Great Expectations Data Docs (every expectation and its result)"),
    ("validation/summary.json", "the validation results for machines"),
    ("rejected.parquet", "the rejected pages and quarantined rows, with their reasons"),
    ("README.md", "the dataset card: fields, how to load, licence"),
    ("manifest.json", "versions, counts, run options and file hashes"),
    ("CITATION.cff", "how to cite this release"),
    ("SHA256SUMS", "checksums (sha256sum -c SHA256SUMS)"),
]
BLOCKED_LINKS = [
    ("index.html", "the Great Expectations Data Docs (every expectation and its result)"),
    ("summary.json", "the validation results for machines"),
    ("rejected.csv", "the rejected pages, with their reasons (for a spreadsheet)"),
    ("rejected.parquet", "the same rows in Parquet"),
]


def write_release_report(folder: Path, version: str, report, released, rejected: pa.Table,
                         manifest: dict, previous: Path | None) -> Path:
    """``report.html`` of a release being published in ``folder`` (its data already written)."""
    from pipeline.publish.diff import article_changes

    changes = article_changes(previous, folder) if previous is not None else None
    charts.write_charts(folder, released.coverage)
    page = render(version, published=True, report=report, released=released, rejected=rejected,
                  run_info=manifest.get("run") or {}, diff=manifest.get("diff"), changes=changes,
                  links=[(h, w) for h, w in RELEASE_LINKS if h != "validation/index.html" or report is not None])
    path = folder / "report.html"
    path.write_text(page, "utf-8")
    return path


def write_blocked_report(folder: Path, version: str, report, tables: dict[str, pa.Table],
                         rejected: list[dict], run_info: dict) -> Path | None:
    """``report.html`` beside a blocked run's Data Docs, with the charts of what was validated.

    A page that cannot be written is logged, never raised: the run must still end with its
    own message on why it was blocked."""
    from pipeline.publish.coverage import Released
    from pipeline.publish.release import redact_table
    from pipeline.tables import to_arrow

    try:
        table = redact_table(to_arrow("rejected", rejected))
        released = Released.of_tables(tables)
        charts.write_charts(folder, released.coverage)
        page = render(version, published=False, report=report, released=released, rejected=table,
                      run_info=run_info, links=BLOCKED_LINKS)
        path = folder / "report.html"
        path.write_text(page, "utf-8")
        return path
    except Exception as e:  # noqa: BLE001 - the blocked verdict matters more than its page
        logging.getLogger("dgn.report").warning("could not write the blocked run's report.html: %s", e)
        return None
