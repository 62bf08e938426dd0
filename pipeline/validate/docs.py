"""The validation report in the forms people read: GX Data Docs (static HTML in a folder),
``summary.json`` for machines, and a short Markdown summary for the console and Prefect."""
from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.validate.run import ValidationReport


def site_config(folder: Path) -> dict:
    """A GX Data Docs site that writes plain files into ``folder`` (index.html at its top)."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(Path(folder).resolve())},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def summary(report: "ValidationReport") -> dict:
    failed = [r for r in report.results if not r["success"]]
    return {
        "ok": report.ok,
        "mode": report.mode,
        "run_time": report.run_time,
        "expectations": len([r for r in report.results if r["pass"] == "input"]),
        "failed": len(failed),
        "blocked": report.blocked,
        "rows_in": report.rows_in,
        "rows_out": report.rows_out,
        "carried_rows": report.carried,
        "carried_from": report.carried_from,
        "quarantined_rows": len({(q["table"], q["key"]) for q in report.quarantined}),
        "quarantined_by_expectation": dict(sorted(Counter(
            f"{q['table']}: {q['expectation']}" for q in report.quarantined).items())),
        "results": report.results,
    }


def write_summary(report: "ValidationReport", folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    path.write_text(json.dumps(summary(report), ensure_ascii=False, indent=2, default=str) + "\n", "utf-8")
    return path


def _verdict(report: "ValidationReport") -> str:
    if report.ok:
        return "passed"
    if report.mode == "check":
        return "FAILED: the release does not meet its expectations"
    return "BLOCKED: the release was not published"


def markdown_summary(report: "ValidationReport") -> str:
    first = [r for r in report.results if r["pass"] == "input"]
    passed = sum(r["success"] for r in first)
    verdict = _verdict(report)
    rows = len({(q["table"], q["key"]) for q in report.quarantined})
    lines = [f"**Validation {verdict}.** {passed}/{len(first)} expectations met on the input; "
             f"{rows} rows quarantined.", ""]
    if report.rows_in:
        lines += ["| table | rows in | released | failed expectations |", "|---|---:|---:|---|"]
        for t, n in report.rows_in.items():
            bad = sorted({f"{r['expectation']}({r['column']})" if r["column"] else r["expectation"]
                          for r in first if r["table"] == t and not r["success"]})
            lines.append(f"| {t} | {n} | {report.rows_out.get(t, 0)} | {', '.join(bad) or '—'} |")
    if report.carried_from:
        kept = ", ".join(f"{t} {n}" for t, n in report.carried.items())
        lines += ["", f"Rows in: the rows this run adds, run through every expectation. The rows kept from "
                  f"release {report.carried_from} ({kept}) were validated when it was published and are not "
                  "checked row by row again; key uniqueness, foreign keys and row counts cover them and the "
                  "new rows together."]
    if report.blocked:
        lines += ["", "Failures:" if report.mode == "check" else "Blocking failures:"]
        lines += [f"- {r['table']}: `{r['expectation']}` on `{r['column']}` "
                  f"(unexpected {r['unexpected_count']}, observed {r['observed']})" for r in report.blocked]
    return "\n".join(lines)


def _frame_of(path: Path, base: Path) -> str:
    return ".".join(path.relative_to(base).with_suffix("").parts)


def add_static_index(folder: Path, report: "ValidationReport") -> None:
    """Put a plain-HTML list of the suites and validation results at the top of index.html.

    GX draws its index tables with JavaScript; this list needs no script at all (a browser
    with scripts off, a text browser, a viewer of the raw HTML).
    """

    index = folder / "index.html"
    text = index.read_text("utf-8")
    status: dict[tuple[str, str], bool] = {}
    for r in report.results:
        key = (r["frame"], r["pass"])
        status[key] = status.get(key, True) and r["success"]
    exp_dir, val_dir = folder / "expectations", folder / "validations"
    rows = []
    for frame, page in sorted((_frame_of(p, exp_dir), p) for p in exp_dir.rglob("*.html")):
        runs = []
        for run in sorted(val_dir.glob(f"{frame.replace('.', '/')}/*/*/*.html")):
            run_name = run.relative_to(val_dir).parts[-3]
            ok = status.get((frame, run_name))
            mark = "passed" if ok else ("failed" if ok is not None else "")
            runs.append(f'<a href="{html.escape(run.relative_to(folder).as_posix())}">{html.escape(run_name)}</a> {mark}')
        rows.append(f'<tr><td><a href="{html.escape(page.relative_to(folder).as_posix())}">{html.escape(frame)}</a></td>'
                    f'<td>{" · ".join(runs)}</td></tr>')
    verdict = _verdict(report)
    section = (
        '<section id="dgn-suites" style="margin:1em;font-family:sans-serif">'
        f"<h2>DGN validation: {html.escape(verdict)}</h2>"
        "<p>Expectation suites (one a table; <code>table.column</code> suites check each element of a list "
        "column) and their validation runs: <em>input</em> is the tables as the flow made them, "
        "<em>release</em> what is left after quarantine.</p>" + _carried_note(report) +
        '<table border="1" cellpadding="4" style="border-collapse:collapse">'
        "<tr><th>suite</th><th>validation runs</th></tr>" + "".join(rows) + "</table></section>")
    index.write_text(text.replace("<body>", "<body>\n" + section, 1), "utf-8")


def _carried_note(report: "ValidationReport") -> str:
    """An incremental release: which rows these runs saw, and where the others were validated."""
    if not report.carried_from:
        return ""
    kept = ", ".join(f"{html.escape(t)} {n}" for t, n in report.carried.items())
    return (f"<p>These runs validated the rows this release adds. The rows it keeps from release "
            f"{html.escape(report.carried_from)} ({kept}) were validated when that release was published; "
            "here only key uniqueness, foreign keys and row counts cover them, with the new rows.</p>")


ASSETS = Path(__file__).parent / "assets"
VENDOR = "static/vendor"
# Inline handlers GX's own templates write (the "Failed only" filter, clearing a table's filters);
# allowed by hash, so that no other handler runs.
GX_HANDLERS = re.compile(r"showAllValidations\(\)|hideSucceededValidations\(\)|clearTableFilters\('[\w-]+'\)")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_MARKUP = re.compile(r"[<>&\"']")
# A value made of ASCII words, numbers and dates (column names, codes, run times) says nothing
# that could change a script; GX's own scripts are full of such words ("name", "title").
_PLAIN = re.compile(r"[\w.:+\- ]*", re.ASCII)
_ASSET_TAG = re.compile(r"<(?:script|link|img)\b[^>]*>", re.I)
_ASSET_ATTR = re.compile(r"""\b(src|href)=(["'])(https?://[^"']+)\2""", re.I)
_CSS_URL = re.compile(r"""url\((["']?)(https?://[^"')]+)\1\)""", re.I)
_SRI = re.compile(r"""\s+(?:integrity|crossorigin)=(["'])[^"']*\1""", re.I)
_HANDLER = re.compile(r"""\son[a-z]+=(["'])(.*?)\1""", re.I | re.S)


def asset_map() -> dict[str, str]:
    """Each external URL GX's pages load (query string dropped) -> the file inside the Data Docs
    folder that stands for it; ``""`` for a script that is left out (see assets/README.md)."""
    with (ASSETS / "urls.csv").open(encoding="utf-8", newline="") as f:
        return {row["url"]: row["local"] for row in csv.DictReader(f)}


def localize(folder: Path) -> int:
    """Make the Data Docs work with no network: copy the vendored scripts, styles and fonts
    into ``static/vendor/`` and point every page and stylesheet at them by relative path.

    GX loads Bootstrap, bootstrap-table, jQuery, Font Awesome… from CDNs; offline its status
    icons stay blank and its filters do nothing. Returns files changed."""
    folder = Path(folder)
    for src in sorted(p for p in ASSETS.rglob("*") if p.is_file() and p.parent != ASSETS):
        dest = folder / VENDOR / src.relative_to(ASSETS)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    urls = asset_map()
    changed = 0
    for page in sorted([*folder.rglob("*.html"), *folder.rglob("*.css")]):
        text = page.read_text("utf-8")
        new = localize_text(text, urls, os.path.relpath(folder, page.parent))
        if new != text:
            page.write_text(new, "utf-8")
            changed += 1
    return changed


def localize_text(text: str, urls: dict[str, str], root: str) -> str:
    """``text`` (a page or a stylesheet) with each known external asset URL made relative to
    ``root`` (the Data Docs folder as seen from the file); a left-out script tag is removed."""

    def local(url: str) -> str | None:
        found = urls.get(url.split("?", 1)[0])
        return None if found is None else (found and f"{root}/{found}".removeprefix("./"))

    def tag(m: re.Match) -> str:
        t = m.group(0)
        a = _ASSET_ATTR.search(t)
        if not a or (path := local(a.group(3))) is None:
            return t
        if not path:
            return "\x00drop\x00"
        return _SRI.sub("", t[:a.start(3)] + path + t[a.end(3):])

    def css(m: re.Match) -> str:
        path = local(m.group(2))
        return m.group(0) if path is None else f"url({m.group(1)}{path or 'none'}{m.group(1)})"

    text = _CSS_URL.sub(css, _ASSET_TAG.sub(tag, text))
    return re.sub(r"[ \t]*\x00drop\x00(?:\s*</script>)?\n?", "", text)


def harden(folder: Path, shown: set[str]) -> int:
    """Make the rendered pages safe and whole to open: GX writes failing values into its tables
    as raw HTML, so a page's ``<img onerror=…>`` would run in the steward's browser.

    In every page: the assets GX takes from CDNs are served from the folder (``localize``); PII
    is redacted (a value that failed a PII expectation is not published in the report that
    caught it); every value the results hold that would be markup is HTML-escaped where it
    stands raw; and a Content-Security-Policy allows scripts only from the folder, GX's own
    inline scripts and handlers by hash, never another inline event handler, a ``javascript:``
    URL, a script of the data's or anything from the network. Returns pages changed."""
    from pipeline.normalize.pii import redact_text

    localize(folder)
    risky = sorted((v for v in shown if _MARKUP.search(v) and len(v) > 1), key=len, reverse=True)
    changed = 0
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text("utf-8")
        clean = redact_text(text)
        for v in risky:
            if v in clean:
                clean = clean.replace(v, html.escape(v))
        clean = _with_csp(_stable(clean, page.parent.name), shown)
        if clean != text:
            page.write_text(clean, "utf-8")
            changed += 1
    return changed


_UUID = re.compile(r"(?<=collapse-body-)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_RUN_TIME = re.compile(r"\d{8}T\d{6}\.\d{6}Z")
_LOAD_TIME = re.compile(r"(>ge_load_time</span>.*?<span[^>]*>)" + _RUN_TIME.pattern + "(?=</span>)", re.S)


def _stable(page: str, folder_name: str) -> str:
    """The page with what GX makes up at render time made from its input: the random ids of
    its collapsible sections numbered in order, and the clock time a batch was loaded replaced
    by the run time the page's folder is named for (so the same run gives the same bytes)."""
    ids: dict[str, str] = {}
    page = _UUID.sub(lambda m: ids.setdefault(m.group(0), f"dgn{len(ids) + 1}"), page)
    if _RUN_TIME.fullmatch(folder_name):
        page = _LOAD_TIME.sub(lambda m: m.group(1) + folder_name, page)
    return page


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _with_csp(page: str, shown: set[str]) -> str:
    hashes = set()
    for m in _INLINE_SCRIPT.finditer(page):
        body = m.group(1)
        if any(len(v) > 3 and not _PLAIN.fullmatch(v) and v in body for v in shown):
            continue  # a script that carries data is not trusted; it only draws charts online
        hashes.add(_sha256(body))
    handlers = {_sha256(m.group(2)) for m in _HANDLER.finditer(page) if GX_HANDLERS.fullmatch(m.group(2))}
    allowed = " ".join(sorted(hashes) + (["'unsafe-hashes'", *sorted(handlers)] if handlers else []))
    policy = (f"default-src 'none'; script-src 'self' {allowed}; "
              "style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
              "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    if "<head>" in page:
        return page.replace("<head>", "<head>\n" + meta, 1)
    return meta + page
