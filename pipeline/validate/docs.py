"""The validation report in the forms people read: GX Data Docs (static HTML in a folder),
``summary.json`` for machines, and a short Markdown summary for the console and Prefect."""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
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
    if report.blocked:
        lines += ["", "Failures:" if report.mode == "check" else "Blocking failures:"]
        lines += [f"- {r['table']}: `{r['expectation']}` on `{r['column']}` "
                  f"(unexpected {r['unexpected_count']}, observed {r['observed']})" for r in report.blocked]
    return "\n".join(lines)


def _frame_of(path: Path, base: Path) -> str:
    return ".".join(path.relative_to(base).with_suffix("").parts)


def add_static_index(folder: Path, report: "ValidationReport") -> None:
    """Put a plain-HTML list of the suites and validation results at the top of index.html.

    GX draws its index tables with JavaScript from public CDNs; offline (as releases are often
    read) they stay empty. This list needs nothing but the files in the folder.
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
        "<em>release</em> what is left after quarantine.</p>"
        '<table border="1" cellpadding="4" style="border-collapse:collapse">'
        "<tr><th>suite</th><th>validation runs</th></tr>" + "".join(rows) + "</table></section>")
    index.write_text(text.replace("<body>", "<body>\n" + section, 1), "utf-8")


# Where GX's pages take their scripts, styles, fonts and images from (none load offline).
ASSET_HOSTS = ("https://cdn.jsdelivr.net", "https://cdnjs.cloudflare.com", "https://code.jquery.com",
               "https://stackpath.bootstrapcdn.com", "https://maxcdn.bootstrapcdn.com", "https://unpkg.com",
               "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_MARKUP = re.compile(r"[<>&\"']")


def harden(folder: Path, shown: set[str]) -> int:
    """Make the rendered pages safe to open: GX writes failing values into its tables as raw
    HTML, so a page's ``<img onerror=…>`` would run in the steward's browser.

    In every page: PII is redacted (a value that failed a PII expectation is not published
    in the report that caught it); every value the results hold that would be markup is
    HTML-escaped where it stands raw; and a Content-Security-Policy allows scripts only from
    GX's asset hosts and GX's own inline scripts by hash, never an inline event handler, a
    ``javascript:`` URL or a script of the data's. Returns pages changed."""
    from pipeline.normalize.pii import redact_text

    risky = sorted((v for v in shown if _MARKUP.search(v) and len(v) > 1), key=len, reverse=True)
    changed = 0
    for page in folder.rglob("*.html"):
        text = page.read_text("utf-8")
        clean = redact_text(text)
        for v in risky:
            if v in clean:
                clean = clean.replace(v, html.escape(v))
        clean = _with_csp(clean, shown)
        if clean != text:
            page.write_text(clean, "utf-8")
            changed += 1
    return changed


def _with_csp(page: str, shown: set[str]) -> str:
    hashes = []
    for m in _INLINE_SCRIPT.finditer(page):
        body = m.group(1)
        if any(len(v) > 3 and v in body for v in shown):
            continue  # a script that carries data is not trusted; it only draws charts online
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    hosts = " ".join(ASSET_HOSTS)
    policy = (f"default-src 'none'; script-src {hosts} {' '.join(sorted(set(hashes)))}; "
              f"style-src 'unsafe-inline' {hosts}; font-src data: {hosts}; img-src data: 'self' {hosts}; "
              "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    if "<head>" in page:
        return page.replace("<head>", "<head>\n" + meta, 1)
    return meta + page
