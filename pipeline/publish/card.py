"""The dataset card (``README.md``) of a release: what a user needs before loading or citing it.

The load snippets are code that the tests run as written, from the release folder.
"""
from __future__ import annotations

from collections import Counter

import pyarrow as pa

from pipeline.publish.release import page_counts, row_counts_quarantined
from pipeline.tables import RELEASED, TABLES

SNIPPETS = {
    "pandas": '''import pandas as pd

articles = pd.read_parquet("data/articles.parquet")
people = pd.read_parquet("data/people.parquet")
print(articles[["article_id", "title", "published_at", "source"]].head())
print(people.merge(articles[["article_id", "title"]], on="article_id").head())''',
    "DuckDB": '''import duckdb

print(duckdb.sql("""
    SELECT source, count(*) AS articles, min(published_at) AS first, max(published_at) AS last
    FROM 'data/articles.parquet' GROUP BY source ORDER BY articles DESC
""").fetchall())''',
    "Hugging Face datasets": '''from datasets import load_dataset

ds = load_dataset("parquet", data_files={"articles": "data/articles.parquet"})
print(ds["articles"].num_rows, ds["articles"][0]["title"])''',
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


def _type_name(t: pa.DataType) -> str:
    return str(t).replace("list<item: string>", "list<string>")


def field_dictionary() -> list[str]:
    lines = []
    for name in (*RELEASED, "rejected"):
        spec = TABLES[name]
        where = "rejected.parquet" if name == "rejected" else f"data/{name}.parquet, csv/{name}.csv"
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


def render(version: str, manifest: dict, tables: dict[str, pa.Table], rejected: pa.Table,
           validation_markdown: str, diff_markdown: str | None) -> str:
    run = manifest.get("run", {})
    sites = Counter(s for s in tables["articles"].column("site").to_pylist() if s)
    outlets = Counter(s for s in tables["articles"].column("source").to_pylist() if s)
    pages = page_counts(rejected)
    quarantined = {t: n for t, n in row_counts_quarantined(rejected).items() if t != "articles"}
    out = [
        f"# DGN release {version}", "",
        "Chinese web pages about digital government (数字政府, 政务云, 一网通办, 数据要素 …), "
        "cleaned, de-duplicated, structured and validated into seven linked tables.", "",
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
    ]
    if sites:
        out += ["Sites with the most articles: " + ", ".join(f"{s} ({n})" for s, n in sites.most_common(10)) + ".", ""]
    if outlets:
        out += ["Sources (来源) named most often: " + ", ".join(f"{s} ({n})" for s, n in outlets.most_common(10)) + ".", ""]
    out += [
        "## How it was built", "",
        "One Prefect flow: ingest (hash, format and encoding detection) → clean (boilerplate, ads "
        "and page furniture removed) → normalize (dates as Asia/Shanghai, sources, full-width "
        "characters, PII redaction) → extract (people, organizations, events, statistics, "
        "documents, quotes) → de-duplicate and filter (reprints, relevance, quality) → validate "
        "(Great Expectations suites) → publish (this folder, written atomically).", "",
        "## Row counts", "", "| table | rows |", "|---|---:|",
        *[f"| {n} | {tables[n].num_rows} |" for n in RELEASED],
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
            "- `data/<table>.parquet`: zstd Parquet, typed (timestamps tz-aware Asia/Shanghai, lists "
            "as list columns), column descriptions in the schema metadata.",
            "- `csv/<table>.csv`: the same rows, UTF-8 with BOM, lists as JSON arrays.",
            "- `rejected.parquet`, `datapackage.json` (Frictionless), `manifest.json`, `SHA256SUMS` "
            "(`sha256sum -c SHA256SUMS`), `validation/`.", ""]
    out += ["## How to load it", "", "Run from this folder."]
    for tool, code in SNIPPETS.items():
        out += ["", f"{tool}:", "", "```python", code, "```"]
    out += ["", "## Fields", "", *field_dictionary()]
    out += ["## Known limits", "", *[f"- {x}" for x in KNOWN_LIMITS], ""]
    out += ["## License", "", LICENSE, ""]
    return "\n".join(out)
