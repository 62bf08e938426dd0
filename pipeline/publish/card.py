"""The dataset card (``README.md``) of a release: what a user needs before loading or citing it.

The load snippets are code that the tests run as written, from the release folder. The
YAML front matter is a Hugging Face dataset card header: its ``configs`` name one config a
table, so that ``datasets.load_dataset(release_dir, "articles")`` loads that table.
``CITATION.cff`` and ``LICENSE`` are written beside the card (``write_citation``).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pyarrow as pa

from pipeline.publish.coverage import Coverage, shanghai
from pipeline.publish.release import page_counts, row_counts_quarantined
from pipeline.tables import RELEASED, TABLES

SNIPPETS = {
    "pandas": '''import pandas as pd

# a table is a folder of parts (data/<table>.parquet/part-NNNNN.parquet), read as one
articles = pd.read_parquet("data/articles.parquet")
people = pd.read_parquet("data/people.parquet")
print(articles[["article_id", "title", "published_at", "source"]].head())
# people have a title (副院长) too: name the article's one apart
article_titles = articles[["article_id", "title"]].rename(columns={"title": "article_title"})
joined = people.merge(article_titles, on="article_id", how="left")
print(joined[["name", "title", "article_title"]].head())''',
    "DuckDB": '''import duckdb

duckdb.sql("SET TimeZone = 'Asia/Shanghai'")  # show times as the pages gave them
print(duckdb.sql("""
    SELECT source, count(*) AS articles, min(published_at) AS first, max(published_at) AS last
    FROM 'data/articles.parquet/*.parquet' GROUP BY source ORDER BY articles DESC
""").fetchall())''',
    "Hugging Face datasets": '''from pathlib import Path

from datasets import load_dataset

# one config a table (the card's header); datasets wants the folder's full path, not "."
articles = load_dataset(str(Path.cwd()), "articles", split="train")
print(articles.num_rows, articles[0]["title"])''',
}

KNOWN_LIMITS = [
    "Rows come from automatic extraction; names, titles, "
    "figures and events can be wrong or missing. Each child row keeps the sentence it came from "
    "(`evidence`) so that it can be checked.",
    "Years of dates written without one (`4月8日`) are inferred from the publication date.",
    "Phone numbers, e-mail addresses, ID and QQ numbers are redacted by pattern; unusual formats "
    "can slip through (validation checks the same patterns, so it cannot catch those either).",
    "`organizations.article_count` is counted before validation; an article quarantined by "
    "validation is still counted there.",
    "Region codes are checked against the GB/T 2260 table the pipeline ships "
    "(`pipeline/data/regions.csv`); codes retired or created after it are not known.",
    "CSV text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return carry a "
    "leading `'` so that spreadsheets do not run them as formulas (so `qualifier` `=` reads "
    "`'=` in CSV); the Parquet files keep the exact values.",
]

LICENSE = ("The pipeline is Apache-2.0. The texts are news and press releases that remain the "
           "property of their publishers; this dataset is derived from them for research, "
           "analysis and reporting. Cite the original article (`url`, `source`) when you quote it, "
           "and check the publisher's terms before redistributing full texts.")
LICENSE_NAME = "dgn-publisher-texts"  # no SPDX licence fits texts their publishers keep
TITLE = "DGN: Chinese web pages on digital government, cleaned and structured"


def _type_name(t: pa.DataType) -> str:
    return str(t).replace("list<item: string>", "list<string>")


def field_dictionary() -> list[str]:
    lines = []
    for name in (*RELEASED, "rejected"):
        spec = TABLES[name]
        where = "rejected.parquet" if name == "rejected" else f"data/{name}.parquet/, csv/{name}.csv/"
        lines += [f"### {name}", "", f"{spec.description} ({where})", ""]
        if name != "rejected":
            lines.append(f"Primary key: `{', '.join(spec.primary_key)}`.")
        for fk in spec.foreign_keys:
            lines.append(f"Foreign key: `{', '.join(fk.columns)}` → `{fk.table}.{', '.join(fk.reference)}`.")
        lines += ["", "| column | type | description |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {_type_name(c.type)}{' (required)' if c.required else ''} | {c.description} |"
                  for c in spec.columns]
        lines.append("")
    return lines


def front_matter() -> list[str]:
    """Hugging Face card metadata: licence, language, and one config a table."""
    lines = ["---", "license: other", f"license_name: {LICENSE_NAME}", "license_link: LICENSE",
             "language:", "- zh", f"pretty_name: \"{TITLE}\"", "configs:"]
    for name in RELEASED:
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: data/{name}.parquet/*.parquet"]
        if name == "articles":
            lines.append("  default: true")
    return [*lines, "---", ""]


def kept_text(limits: dict) -> str:
    """What the run let through, from its options: a run with ``--min-topic-score 0`` kept
    pages on any topic, and the card must not call them pages about digital government."""
    if not limits:
        return ("Chinese web pages selected for digital government (数字政府, 政务云, 一网通办, 数据要素 …), "
                "cleaned, de-duplicated, structured and validated into seven linked tables.")
    score = limits.get("min_topic_score")
    if score == 0:
        what = ("Chinese web pages on any topic: this release was built with `--min-topic-score 0`, so it "
                "keeps every page whatever its digital-government topic score (`topic_score` says how "
                "much each is about 数字政府, 政务云, 一网通办, 数据要素 …)")
    else:
        what = (f"Chinese web pages about digital government (数字政府, 政务云, 一网通办, 数据要素 …): pages "
                f"with a topic score below {score} (`--min-topic-score`) were left out")
    return (f"{what}; bodies shorter than {limits.get('min_chars')} characters (`--min-chars`) were left "
            "out too. Cleaned, de-duplicated, structured and validated into seven linked tables.")


def _day(v: dt.datetime) -> str:
    return shanghai(v).date().isoformat()


def coverage_lines(articles) -> list[str]:
    """Date range, sites (``site``, else the url's host) and the sources with most articles,
    from the articles (a table, a ``TableSource``) or their ``Coverage``."""
    c = Coverage.of(articles)
    out = []
    if c.first is not None:
        out.append(f"Published between {_day(c.first)} and {_day(c.last)} (Asia/Shanghai)"
                   + (f"; {_articles(c.undated)} no date (flag `undated`)." if c.undated else "."))
    elif c.rows:
        out.append("No article carries a publication date.")
    if c.sites:
        out.append("Sites with the most articles: " + ", ".join(f"{s} ({n})" for s, n in _top(c.sites)) + "."
                   + (f" {_articles(c.no_url)} no known URL." if c.no_url else ""))
    elif c.rows:
        out.append("No article records the URL or site it came from.")
    if c.outlets:
        out.append("Sources (来源) with the most articles: " + ", ".join(f"{s} ({n})" for s, n in _top(c.outlets)) + ".")
    return [x for line in out for x in (line, "")]


def _articles(n: int) -> str:
    return "1 article has" if n == 1 else f"{n} articles have"


def _top(counts: Counter, n: int = 10) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def render(version: str, manifest: dict, released, rejected: pa.Table,
           validation_markdown: str, diff_markdown: str | None) -> str:
    """The card; ``released`` is a ``Released`` (row counts and the articles' coverage)."""
    from pipeline.publish.charts import render_all

    run = manifest.get("run", {})
    pages = page_counts(rejected)
    quarantined = {t: n for t, n in row_counts_quarantined(rejected).items() if t != "articles"}
    out = [
        *front_matter(),
        f"# DGN release {version}", "",
        kept_text(run.get("limits") or {}), "",
        "The release's front page, `report.html`, shows the verdict, the rows per table, the failed "
        "expectations, the rejected pages and what changed, offline and without script.", "",
        "| | |", "|---|---|",
        f"| version | {version} |",
        f"| schema_version | {manifest['schema_version']} |",
        f"| pipeline version | {manifest['pipeline_version']} |",
        f"| created | {manifest['created_at']} |",
        f"| input snapshot | `{manifest.get('input_snapshot')}` |", "",
        "## Where it comes from", "",
        f"{run.get('pages_in', 'An unrecorded number of')} raw pages (HTML, text dumps, WARC, JSONL crawl "
        "records) went in. Every page ends as an article, a duplicate of one, or a row of "
        "`rejected.parquet` with its reason.", "",
        *coverage_lines(released.coverage),
        "## Coverage", "",
        *[x for name, (title, _) in render_all(released.coverage).items() for x in (f"![{title}](charts/{name})", "")],
    ]
    out += [
        "## How it was built", "",
        "One Prefect flow: ingest (hash, format and encoding detection) → clean (boilerplate, ads "
        "and page furniture removed) → normalize (dates as Asia/Shanghai, sources, full-width "
        "characters, PII redaction) → extract (people, organizations, events, statistics, "
        "documents, quotes) → de-duplicate and filter (reprints, relevance, quality) → validate "
        "(Great Expectations suites) → publish (this folder, written atomically).", "",
        "## Row counts", "", "| table | rows |", "|---|---:|",
        *[f"| {n} | {released.rows[n]} |" for n in RELEASED],
        f"| rejected (`rejected.parquet`: pages and quarantined rows) | {rejected.num_rows} |", "",
    ]
    if pages:
        out += ["Pages rejected, by reason (the same counts `dgn run` prints): "
                + ", ".join(f"{r} {n}" for r, n in pages.items()) + ".", ""]
    if quarantined:
        out += ["Rows quarantined by validation, by table (`failed_validation` rows of `rejected.parquet` "
                "that are not pages): " + ", ".join(f"{t} {n}" for t, n in quarantined.items()) + ".", ""]
    out += ["## Validation", "", validation_markdown, "",
            "The full report is in `validation/index.html` (Great Expectations Data Docs) and "
            "`validation/summary.json`. Rows that failed a row-level expectation are in "
            "`rejected.parquet` (reason `failed_validation`, with `table`, `key`, `expectation`, "
            "`observed`).", ""]
    out += ["## Changes since the previous release", "", diff_markdown or "This is the first release.", ""]
    out += ["## Files", "",
            "- `data/<table>.parquet/part-NNNNN.parquet`: a table is a folder of parts, read as one table "
            "(`pd.read_parquet(\"data/articles.parquet\")`, `pyarrow.parquet.read_table(\"data/articles.parquet\")`, "
            "DuckDB `'data/articles.parquet/*.parquet'`); zstd Parquet, typed (timestamps tz-aware Asia/Shanghai, "
            "lists as list columns), column descriptions in the schema metadata. A later release keeps "
            "these parts unchanged (hard links) and adds new ones; `manifest.json` lists each part with "
            "its rows, sha256 and the release that wrote it.",
            "- `csv/<table>.csv/part-NNNNN.csv`: the same rows, part for part, each a whole CSV (UTF-8 with "
            "BOM, header), lists as JSON arrays.",
            "- `rejected.parquet`, `datapackage.json` (Frictionless), `manifest.json`, `SHA256SUMS` "
            "(`sha256sum -c SHA256SUMS`), `validation/`.",
            "- `report.html` (the front page), `charts/*.svg` (coverage), `CITATION.cff`, `LICENSE`.", ""]
    out += ["## How to load it", "", "Run from this folder."]
    for tool, code in SNIPPETS.items():
        out += ["", f"{tool}:", "", "```python", code, "```"]
    out += ["", "## Fields", "", *field_dictionary()]
    out += ["## Known limits", "", *[f"- {x}" for x in KNOWN_LIMITS], ""]
    out += ["## License", "", LICENSE, "", "The same terms are in `LICENSE`; `CITATION.cff` says how to cite "
            "this release.", ""]
    return "\n".join(out)


def citation(version: str, manifest: dict) -> str:
    """CITATION.cff (CFF 1.2.0). Its ``license`` takes SPDX identifiers only and none fits
    texts their publishers keep, so the terms are named in ``message`` and in ``LICENSE``."""
    created = str(manifest.get("created_at") or "")[:10]
    lines = ["cff-version: 1.2.0",
             'message: "If you use this dataset, please cite it as below. The texts remain the property of '
             'their publishers: see LICENSE."',
             "type: dataset", f'title: "{TITLE}"', f'version: "{version}"']
    if created:
        lines.append(f'date-released: "{created}"')
    lines += ["authors:", '  - name: "DGN project"',
              'abstract: "Chinese web pages about digital government (or, as a run\'s options say, every page '
              'it kept), cleaned, de-duplicated, structured into linked tables and validated."',
              "keywords:", '  - "digital government"', '  - "数字政府"', '  - "Chinese news"']
    return "\n".join(lines) + "\n"


def write_citation(folder: Path, version: str, manifest: dict) -> None:
    """``CITATION.cff`` and the data licence (``LICENSE``) of a release."""
    (folder / "CITATION.cff").write_text(citation(version, manifest), "utf-8")
    (folder / "LICENSE").write_text(f"{TITLE}, release {version}\n\n{LICENSE}\n", "utf-8")
