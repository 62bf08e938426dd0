"""Run the suites through Great Expectations and sort the failures.

Two passes. The first validates the tables as the flow made them: failed ``quarantine``
expectations name rows (by primary key) that go to ``rejected.parquet``, failed ``block``
expectations stop the release. Rows of child tables whose article was quarantined follow it.
The second pass validates what is left of the tables that lost rows (and, when articles
did, of every table referring to them): any failure there blocks too, so a release never
holds a row its own suites reject. Both passes land in the Data Docs, as runs ``input``
and ``release``.

Expectations on a list column (``authors``, ``region_codes``, ...) check each element: they
run on a frame of (primary key, element) rows, shown in the Data Docs as ``<table>.<column>``.
GX is imported here and only here; its import costs seconds.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.normalize.pii import redact_text
from pipeline.tables import RELEASED, TABLES
from pipeline.validate import patterns
from pipeline.validate.suites import load_suites

REGEX_LIST = "expect_column_values_to_not_match_regex_list"
OBSERVED_CHARS = 160


@dataclass
class ValidationReport:
    """What validation found; ``results`` is what the CLI and Prefect artifacts show."""

    results: list[dict] = field(default_factory=list)
    quarantined: list[dict] = field(default_factory=list)
    blocked: list[dict] = field(default_factory=list)
    rows_in: dict[str, int] = field(default_factory=dict)
    rows_out: dict[str, int] = field(default_factory=dict)
    run_time: str = ""
    docs_path: Path | None = None
    mode: str = "publish"  # publish (with quarantine) | check (a published release)

    @property
    def ok(self) -> bool:
        return not self.blocked

    @property
    def all_passed(self) -> bool:
        return all(r["success"] for r in self.results)

    @property
    def markdown(self) -> str:
        from pipeline.validate.docs import markdown_summary

        return markdown_summary(self)


def label(expectation: str, column: str | None, family: str | None = None) -> str:
    core = f"{expectation}({column})" if column else expectation
    return f"{core} [{family}]" if family else core


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        import pandas as pd

        if v is pd.NaT or (not isinstance(v, (list, tuple, dict)) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    return v if isinstance(v, (str, int, float, bool)) else str(v)


def _key(values: list[Any]) -> str:
    return json.dumps([None if (p := _plain(v)) is None else str(p) for v in values], ensure_ascii=False)


def parent_column(fk) -> str:
    return f"{fk.table}.{fk.reference[0]}"


def _frames(name: str, table: pa.Table, parents: dict[str, set]) -> dict[str, Any]:
    """The scalar frame of a table and one (key, element) frame per list column.

    A foreign key is checked as a left join: the scalar frame gets the parent's key column
    (``articles.article_id``), null where the reference is broken. Passing the parent keys
    as a GX value set instead costs seconds: GX copies a list parameter at every step.
    """
    spec = TABLES[name]
    pk = list(spec.primary_key)
    scalar = table.drop_columns(spec.list_columns)
    for fk in spec.foreign_keys:
        known = parents.get(fk.table, set())
        joined = [v if v in known else None for v in table.column(fk.columns[0]).to_pylist()]
        scalar = scalar.append_column(parent_column(fk), pa.array(joined, type=pa.string()))
    frames = {name: scalar.to_pandas(date_as_object=False)}
    for col in spec.list_columns:
        lists = table.column(col).combine_chunks()
        parents = pc.list_parent_indices(lists)
        keys = table.select(pk).take(parents)
        frames[f"{name}.{col}"] = keys.append_column(col, pc.list_flatten(lists)).to_pandas()
    return frames


def _split_suite(name: str, suite: dict) -> dict[str, dict]:
    lists = set(TABLES[name].list_columns)
    parts: dict[str, list[dict]] = {name: []}
    for e in suite["expectations"]:
        col = e["kwargs"].get("column")
        frame = f"{name}.{col}" if col in lists else name
        parts.setdefault(frame, []).append(e)
    return {f: {"name": f, "expectations": exps, "meta": suite.get("meta", {})} for f, exps in parts.items()}


def _context(docs_dir: Path | None):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for noisy in ("great_expectations", "great_expectations.core", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig)

    from pipeline.validate.docs import site_config

    sites = {"dgn": site_config(docs_dir)} if docs_dir is not None else {}
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(),
                               progress_bars=ProgressBarsConfig(globally=False),
                               data_docs_sites=sites, analytics_enabled=False)
    return gx.get_context(mode="ephemeral", project_config=config)


def _errored(r) -> str | None:
    info = r.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message") or "exception"
    for v in info.values():
        if isinstance(v, dict) and v.get("raised_exception"):
            return v.get("exception_message") or "exception"
    return None


def _shorten(v: Any) -> str | None:
    p = _plain(v)
    if p is None:
        return None
    s = p if isinstance(p, str) else json.dumps(p, ensure_ascii=False)
    s = redact_text(s)
    return s if len(s) <= OBSERVED_CHARS else s[:OBSERVED_CHARS] + "…"


def _observed_value(expectation: str, family: str, value: Any, regex_list: list[str] | None) -> str | None:
    """The failing value as a reader needs it: for a regex list, the text that matched (a
    PII match only by its kind, so that quarantine never leaks what redaction removed)."""
    if expectation == REGEX_LIST and isinstance(value, str) and regex_list:
        hit = patterns.first_match(value, regex_list)
        if hit is not None:
            return redact_text(hit) if family == "pii" else _shorten(hit)
    return _shorten(value)


class _Runner:
    def __init__(self, suites: dict[str, dict], params: dict, docs_dir: Path | None, run_time: dt.datetime):
        import great_expectations as gx
        from great_expectations.core.expectation_suite import ExpectationSuite

        self.context = _context(docs_dir)
        self.params = params
        self.shown: set[str] = set()  # every string a result holds: what the Data Docs may show
        self.run_time = run_time
        self.source = self.context.data_sources.add_pandas("dgn")
        self.definitions: dict[str, Any] = {}
        for name, suite in suites.items():
            for frame, sub in _split_suite(name, suite).items():
                gx_suite = self.context.suites.add(ExpectationSuite(**sub))
                batch = self.source.add_dataframe_asset(frame).add_batch_definition_whole_dataframe("table")
                self.definitions[frame] = self.context.validation_definitions.add(
                    gx.ValidationDefinition(name=frame, data=batch, suite=gx_suite))

    def run(self, name: str, table: pa.Table, run_name: str, parents: dict[str, set]) -> list[tuple[str, Any]]:
        from great_expectations.core.run_identifier import RunIdentifier

        pk = list(TABLES[name].primary_key)
        out = []
        for frame, df in _frames(name, table, parents).items():
            vd = self.definitions.get(frame)
            if vd is None:
                continue
            res = vd.run(batch_parameters={"dataframe": df},
                         expectation_parameters=self.params,
                         result_format={"result_format": "COMPLETE", "partial_unexpected_count": 5,
                                        "unexpected_index_column_names": pk},
                         run_id=RunIdentifier(run_name=run_name, run_time=self.run_time))
            for r in res.results:
                _strings(r.result, self.shown)
            out.extend((frame, r) for r in res.results)
        return out

    def build_docs(self) -> None:
        self.context.build_data_docs()


def _strings(value: Any, into: set[str]) -> None:
    if isinstance(value, str):
        into.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, into)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _strings(v, into)


def _resolve(v: Any, params: dict) -> Any:
    return params.get(v["$PARAMETER"]) if isinstance(v, dict) and "$PARAMETER" in v else v


def _digest(name: str, frame: str, r, params: dict, pass_name: str) -> tuple[dict, list[dict]]:
    """One result row for reports, and the rows a failed quarantine expectation names."""
    cfg = r.expectation_config
    kw, meta = cfg.kwargs, (cfg.meta or {})
    column = kw.get("column") or (",".join(kw["column_list"]) if kw.get("column_list") else None)
    res = r.result or {}
    error = _errored(r)
    on_failure = meta.get("on_failure", "block")
    fk_child = next((fk.columns[0] for fk in TABLES[name].foreign_keys if parent_column(fk) == column), None)
    if "observed_value" in res:
        observed = _shorten(res["observed_value"])
    elif fk_child:
        observed = json.dumps(sorted({str(d.get(fk_child)) for d in res.get("unexpected_index_list") or []})[:5],
                              ensure_ascii=False)
    else:
        sample = [_observed_value(cfg.type, meta.get("family", ""), v, _resolve(kw.get("regex_list"), params))
                  for v in (res.get("partial_unexpected_list") or [])[:3]]
        observed = json.dumps(sample, ensure_ascii=False) if sample else None
    row = {
        "table": name, "frame": frame, "pass": pass_name, "expectation": cfg.type, "column": column,
        "family": meta.get("family"), "on_failure": on_failure, "success": bool(r.success),
        "unexpected_count": res.get("unexpected_count"), "observed": error or observed,
    }
    rows = []
    if not r.success and not error and on_failure == "quarantine":
        pk = list(TABLES[name].primary_key)
        regex_list = _resolve(kw.get("regex_list"), params)
        for d in res.get("unexpected_index_list") or []:
            rows.append({"table": name, "key": _key([d.get(k) for k in pk]),
                         "expectation": label(cfg.type, column, meta.get("family")),
                         "observed": _observed_value(cfg.type, meta.get("family", ""), d.get(kw.get("column")), regex_list)})
    return row, rows


def _drop_keys(name: str, table: pa.Table, keys: set[str]) -> pa.Table:
    if not keys:
        return table
    pk = list(TABLES[name].primary_key)
    cols = [table.column(k).to_pylist() for k in pk]
    mask = [_key(list(vals)) not in keys for vals in zip(*cols)] if cols else []
    return table.filter(pa.array(mask, type=pa.bool_()))


def _cascade(tables: dict[str, pa.Table], dropped_articles: set[str]) -> list[dict]:
    """Rows of child tables whose article was quarantined: rejected with it."""
    out = []
    for name, t in tables.items():
        if name == "articles" or "article_id" not in t.column_names or not dropped_articles:
            continue
        pk = list(TABLES[name].primary_key)
        for row in t.select(list(dict.fromkeys([*pk, "article_id"]))).to_pylist():
            if row["article_id"] in dropped_articles:
                out.append({"table": name, "key": _key([row[k] for k in pk]),
                            "expectation": "article quarantined", "observed": row["article_id"]})
    return out


def _as_timestamp(run_time: dt.datetime):
    import pandas as pd

    ts = pd.Timestamp(run_time)
    return ts.tz_localize("Asia/Shanghai") if ts.tzinfo is None else ts


def validate_tables(tables: dict[str, pa.Table], run_time: dt.datetime, docs_dir: Path | None = None,
                    suites: dict[str, dict] | None = None, quarantine: bool = True
                    ) -> tuple[dict[str, pa.Table], ValidationReport]:
    """Validate the released tables; return the rows that may be released and the report.

    With ``quarantine=False`` (checking a published release) there is one pass and every
    failure counts against the release.
    """
    suites = suites or load_suites()
    params = patterns.parameters()
    params["run_time"] = _as_timestamp(run_time)
    report = ValidationReport(run_time=params["run_time"].isoformat(), mode="publish" if quarantine else "check",
                              rows_in={n: tables[n].num_rows for n in RELEASED})
    runner = _Runner(suites, params, docs_dir, params["run_time"].to_pydatetime())

    def one_pass(current: dict[str, pa.Table], pass_name: str, names=RELEASED) -> tuple[list[dict], list[dict]]:
        parents = {"articles": set(current["articles"].column("article_id").to_pylist()) - {None}}
        results, rows = [], []
        for name in names:
            for frame, r in runner.run(name, current[name], pass_name, parents):
                res_row, bad = _digest(name, frame, r, params, pass_name)
                results.append(res_row)
                rows.extend(bad)
        return results, rows

    results, bad_rows = one_pass(tables, "input")
    report.results = results
    blocked = [r for r in results if not r["success"] and (r["on_failure"] == "block" or not quarantine
                                                            or r["unexpected_count"] is None)]
    kept = dict(tables)
    if quarantine and not blocked:
        seen = set()
        for b in bad_rows:
            k = (b["table"], b["key"], b["expectation"])
            if k not in seen:
                seen.add(k)
                report.quarantined.append(b)
        by_table: dict[str, set[str]] = {}
        for q in report.quarantined:
            by_table.setdefault(q["table"], set()).add(q["key"])
        kept = {n: _drop_keys(n, t, by_table.get(n, set())) for n, t in tables.items()}
        dropped = {json.loads(k)[0] for k in by_table.get("articles", set())}
        cascade = _cascade(kept, dropped)
        report.quarantined.extend(cascade)
        for c in cascade:
            by_table.setdefault(c["table"], set()).add(c["key"])
        kept = {n: _drop_keys(n, t, by_table.get(n, set())) for n, t in tables.items()}
        changed = [n for n in RELEASED if kept[n].num_rows != tables[n].num_rows
                   or ("articles" in by_table and TABLES[n].foreign_keys)]
        if changed:
            second, _ = one_pass(kept, "release", changed)
            report.results += second
            blocked = [r for r in second if not r["success"]]
    report.blocked = blocked
    report.rows_out = {n: kept[n].num_rows for n in RELEASED}
    if docs_dir is not None:
        from pipeline.validate.docs import add_static_index, harden

        runner.build_docs()
        harden(Path(docs_dir), runner.shown)
        add_static_index(Path(docs_dir), report)
        report.docs_path = Path(docs_dir)
    return kept, report


def failed_expectations_text(report: ValidationReport) -> str:
    return "; ".join(f"{r['table']}: {label(r['expectation'], r['column'])} "
                     f"(unexpected {r['unexpected_count']}, observed {r['observed']})" for r in report.blocked)

