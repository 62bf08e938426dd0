"""Run the suites through Great Expectations and sort the failures, a row batch at a time.

Two passes. The first validates the tables as the flow made them: failed ``quarantine``
expectations name rows (by primary key) that go to ``rejected.parquet``, failed ``block``
expectations stop the release. Rows of child tables whose article was quarantined follow it.
The second pass validates what is left of the tables that lost rows (and, when articles
did, of every table referring to them): any failure there blocks too, so a release never
holds a row its own suites reject. Both passes land in the Data Docs, as runs ``input``
and ``release``.

Memory does not follow the release: each table is read in row batches (``TableSource``)
and GX validates one batch at a time, first with counts only; the expectations that found
something run again on the batch for complete results (bounded by the batch), which give the
keys of the rows to quarantine and are then reduced to counts and a few examples,
summed over the batches into one result per expectation and table, which is what reports
and the Data Docs show (one validation result per table and pass). What needs the whole
table is done in Arrow on its key columns only: key uniqueness (a 64-bit digest a row, then
the candidates compared exactly), foreign keys (the parent's key column as a value set)
and the row count.

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
from collections import Counter
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
    carried: dict[str, int] = field(default_factory=dict)  # rows kept from ``carried_from``, not run through GX
    carried_from: str | None = None

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


def _frames(name: str, table: pa.Table, parents: pa.Array) -> dict[str, Any]:
    """The scalar frame of a batch and one (key, element) frame per list column.

    A foreign key is checked as a left join: the scalar frame gets the parent's key column
    (``articles.article_id``), null where the reference is broken (Arrow's ``is_in`` against
    the parent's key column; passing the keys as a GX value set costs seconds a batch).
    """
    spec = TABLES[name]
    pk = list(spec.primary_key)
    scalar = table.drop_columns(spec.list_columns)
    for fk in spec.foreign_keys:
        child = table.column(fk.columns[0])
        found = pc.fill_null(pc.is_in(child, value_set=parents), False)
        joined = pc.if_else(found, child, pa.scalar(None, pa.string()))
        scalar = scalar.append_column(parent_column(fk), joined)
    frames = {name: scalar.to_pandas(date_as_object=False)}
    for col in spec.list_columns:
        lists = table.column(col).combine_chunks()
        where = pc.list_parent_indices(lists)
        keys = table.select(pk).take(where)
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


WHOLE_TABLE = ("expect_table_row_count_to_be_between", "expect_column_values_to_be_unique",
               "expect_compound_columns_to_be_unique")  # computed in Arrow over the whole table
BATCH_FORMAT = {"result_format": "COMPLETE", "partial_unexpected_count": 20}
# A batch is first validated with counts only (GX skips the metrics that list unexpected rows,
# a third of a clean batch's cost); only the expectations that found something run again with
# BATCH_FORMAT, whose complete result names the rows. A clean result is the same in both.
FIRST_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 20}
PARTIAL = 20  # unexpected examples an aggregated result keeps
BATCH_BYTES = 8 << 20  # Arrow bytes a batch GX validates: its peak follows the batch (articles at
# 89,350 rows: 16 MiB batches 613 MiB, 8 MiB 495 (heap given back), 4 MiB 462; CPU 106, 110, 121 s)
REUSE_UNTOUCHED = True  # the second pass takes the first pass's results of the batches that lost no row


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


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


class _Sum:
    """One expectation's results over the batches of a table: counts summed, the first
    ``PARTIAL`` unexpected values kept, the first error kept."""

    def __init__(self, config, kwargs: dict):
        self.config = config
        self.kwargs = kwargs
        self.element = self.missing = self.unexpected = 0
        self.partial: list = []
        self.partial_index: list = []
        self.counts: Counter = Counter()
        self.error: dict | None = None
        self.fk_ids: set[str] = set()
        self.other: dict | None = None  # an aggregate expectation's result (observed_value)
        self.bad: list[dict] = []  # rows a quarantine expectation failed, batch after batch
        self.success = True

    def add(self, r, fk_child: str | None) -> None:
        res = r.result or {}
        if _errored(r):
            self.error = self.error or dict(r.exception_info or {})
            return
        if "observed_value" in res:
            if self.other is None or not r.success:
                self.other = {k: v for k, v in res.items() if k != "details"}
            self.success = self.success and bool(r.success)
            return
        self.element += res.get("element_count") or 0
        self.missing += res.get("missing_count") or 0
        self.unexpected += res.get("unexpected_count") or 0
        room = PARTIAL - len(self.partial)
        if room > 0:
            self.partial += list(res.get("partial_unexpected_list") or [])[:room]
            self.partial_index += list(res.get("partial_unexpected_index_list") or [])[:room]
        for c in res.get("partial_unexpected_counts") or []:
            try:
                self.counts[c["value"]] += c["count"]
            except TypeError:
                pass  # an unhashable value (a dict of a compound key) is not tallied
        if fk_child:
            ids = {str(d.get(fk_child)) for d in res.get("unexpected_index_list") or []}
            self.fk_ids = set(sorted(self.fk_ids | ids)[:5])

    def result(self):
        from great_expectations.core.expectation_validation_result import ExpectationValidationResult

        if self.error is not None:
            return ExpectationValidationResult(success=False, expectation_config=self.config, result={},
                                               exception_info=self.error)
        if self.other is not None:
            return ExpectationValidationResult(success=self.success, expectation_config=self.config,
                                               result=self.other, exception_info=_NO_ERROR)
        nonmissing = self.element - self.missing
        mostly = self.kwargs.get("mostly")
        if self.unexpected == 0 or not nonmissing:
            ok = True
        else:
            ok = mostly is not None and 1 - self.unexpected / nonmissing >= mostly
        counts = sorted(self.counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:PARTIAL]
        res = {"element_count": self.element, "missing_count": self.missing,
               "missing_percent": _pct(self.missing, self.element), "unexpected_count": self.unexpected,
               "unexpected_percent": _pct(self.unexpected, nonmissing),
               "unexpected_percent_total": _pct(self.unexpected, self.element),
               "unexpected_percent_nonmissing": _pct(self.unexpected, nonmissing),
               "partial_unexpected_list": self.partial,
               "partial_unexpected_counts": [{"value": v, "count": c} for v, c in counts]}
        if self.partial_index:
            res["partial_unexpected_index_list"] = self.partial_index
        return ExpectationValidationResult(success=ok, expectation_config=self.config, result=res,
                                           exception_info=_NO_ERROR)


_NO_ERROR = {"raised_exception": False, "exception_traceback": None, "exception_message": None}


@dataclass
class _Kept:
    """One batch's result for one expectation, reduced to what ``_Sum.add`` reads: counts,
    the first ``PARTIAL`` examples, an aggregate's observed value, the error, and of the
    unexpected rows only the smallest five foreign-key ids."""

    result: dict
    success: bool
    exception_info: dict | None

    @classmethod
    def of(cls, r, fk_child: str | None) -> _Kept:
        res = r.result or {}
        if "observed_value" in res:
            kept = {k: v for k, v in res.items() if k != "details"}
        else:
            kept = {k: res[k] for k in ("element_count", "missing_count", "unexpected_count",
                                        "partial_unexpected_counts") if k in res}
            for k in ("partial_unexpected_list", "partial_unexpected_index_list"):
                if k in res:
                    kept[k] = list(res[k] or [])[:PARTIAL]
            if fk_child and res.get("unexpected_index_list"):
                ids = sorted({str(d.get(fk_child)) for d in res["unexpected_index_list"]})[:5]
                kept["unexpected_index_list"] = [{fk_child: i} for i in ids]
        return cls(kept, bool(r.success), r.exception_info)


def _digest64(parts: list[pa.Array]):
    """A 64-bit digest of each row's key (nulls told apart from empty strings), as numpy:
    pandas' vectorised row hash. Rows with equal digests are compared exactly afterwards, so
    a collision costs a comparison, never a wrong verdict."""
    import pandas as pd

    if not parts:
        import numpy as np

        return np.empty(0, dtype=np.uint64)
    frame = pa.table({f"k{i}": p for i, p in enumerate(parts)}).to_pandas()
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _repeats(batches, columns: list[str]) -> tuple[int, int, list[tuple]]:
    """(rows, missing rows, keys of the rows whose key another row has, in row order) over
    the tables ``batches()`` yields. Rows are compared by a 64-bit digest first (8 bytes a
    row); the rows whose digest repeats are compared exactly."""
    import numpy as np

    digests, missing = [], []
    for t in batches():
        gone = pc.is_null(t.column(columns[0]))
        for c in columns[1:]:
            gone = pc.and_(gone, pc.is_null(t.column(c)))
        missing.append(np.asarray(gone.to_numpy(zero_copy_only=False), dtype=bool))
        digests.append(_digest64([t.column(c) for c in columns]))
    digest = np.concatenate(digests) if digests else np.empty(0, dtype=np.uint64)
    gone = np.concatenate(missing) if missing else np.empty(0, dtype=bool)
    del digests, missing
    values, counts = np.unique(digest[~gone], return_counts=True)
    suspect = np.isin(digest, values[counts > 1]) & ~gone
    rows: list[tuple[int, tuple]] = []
    if suspect.any():
        offset = 0
        for t in batches():
            for i in np.flatnonzero(suspect[offset:offset + t.num_rows]):
                rows.append((offset + int(i), tuple(t.column(c)[int(i)].as_py() for c in columns)))
            offset += t.num_rows
    twice = {k for k, n in Counter(k for _, k in rows).items() if n > 1}
    return int(len(digest)), int(gone.sum()), [k for _, k in sorted(rows) if k in twice]


def _joined_repeats(src: "Joined", columns: list[str]) -> tuple[int, int, list[tuple]]:
    """``_repeats`` over carried rows and new ones, digesting only the new rows and the carried
    rows whose first key value a new row has (the carried rows were unique when validated, so
    a repeat involves a new row); the other carried rows are only counted."""
    firsts = pc.unique(src.new.column(columns[0]))
    with_null = firsts.null_count > 0
    firsts = firsts.drop_null()
    rows = missing = 0
    candidates = []
    for t in src.carried.batches(columns, rows=50_000):
        first = t.column(columns[0])
        hit = pc.fill_null(pc.is_in(first, value_set=firsts), False)
        if with_null:
            hit = pc.or_(hit, pc.is_null(first))
        gone = pc.is_null(first)
        for c in columns[1:]:
            gone = pc.and_(gone, pc.is_null(t.column(c)))
        rows += t.num_rows - pc.sum(hit).as_py()
        missing += pc.sum(pc.and_(gone, pc.invert(hit))).as_py() or 0
        if pc.any(hit).as_py():
            candidates.append(t.filter(hit))
    candidates.extend(src.new.batches(columns, rows=50_000))
    n, n_missing, bad = _repeats(lambda: iter(candidates), columns)
    return rows + n, missing + n_missing, bad


def _unique(src, columns: list[str], compound: bool) -> dict:
    """GX's uniqueness result over the whole table, from its key columns only.

    As GX: a row is unexpected when another row has the same value (every copy counts);
    a null value (compound: all values null) is missing, not compared."""
    if isinstance(src, Joined):
        element, n_missing, bad = _joined_repeats(src, columns)
    else:
        element, n_missing, bad = _repeats(lambda: src.batches(columns, rows=50_000), columns)
    examples = [dict(zip(columns, k)) if compound else k[0] for k in bad]
    res = {"element_count": element, "unexpected_count": len(bad),
           "unexpected_percent": _pct(len(bad), element - n_missing),
           "partial_unexpected_list": examples[:PARTIAL]}
    if not compound:
        counts = Counter(examples)
        res.update({"missing_count": n_missing, "missing_percent": _pct(n_missing, element),
                    "unexpected_percent_total": _pct(len(bad), element),
                    "unexpected_percent_nonmissing": _pct(len(bad), element - n_missing),
                    "partial_unexpected_counts": [{"value": v, "count": c} for v, c in
                                                  sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:PARTIAL]]})
    return res


def _whole_table(src, config, kwargs: dict, params: dict, rows: int):
    """Row count and key uniqueness over the whole table, as GX results."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

    kind = config.type
    if kind == "expect_table_row_count_to_be_between":
        lo, hi = _resolve(kwargs.get("min_value"), params), _resolve(kwargs.get("max_value"), params)
        ok = (lo is None or rows >= lo) and (hi is None or rows <= hi)
        return ExpectationValidationResult(success=ok, expectation_config=config, result={"observed_value": rows},
                                           exception_info=_NO_ERROR)
    compound = kind == "expect_compound_columns_to_be_unique"
    columns = list(kwargs["column_list"]) if compound else [kwargs["column"]]
    res = _unique(src, columns, compound)
    return ExpectationValidationResult(success=res["unexpected_count"] == 0, expectation_config=config, result=res,
                                       exception_info=_NO_ERROR)


class _Runner:
    def __init__(self, suites: dict[str, dict], params: dict, docs_dir: Path | None, run_time: dt.datetime):
        import great_expectations as gx
        from great_expectations.core.expectation_suite import ExpectationSuite

        self.context = _context(docs_dir)
        self.params = params
        self.shown: set[str] = set()  # every string a result holds: what the Data Docs may show
        self.run_time = run_time
        self.source = self.context.data_sources.add_pandas("dgn")
        self.batch_ids: dict[str, str] = {}  # frame -> GX's batch id (one an asset), for the Data Docs
        self.seen: dict[str, list[tuple[int, dict]]] = {}  # table -> its batches' rows and results
        self.definitions: dict[str, Any] = {}
        self.batch_suites: dict[str, Any] = {}
        self.batch_specs: dict[str, list[dict]] = {}  # frame -> its per-batch expectations, as in the suite
        self.configs: dict[str, list] = {}  # frame -> (config, kwargs, whole-table?) in suite order
        for name, suite in suites.items():
            for frame, sub in _split_suite(name, suite).items():
                gx_suite = self.context.suites.add(ExpectationSuite(**sub))
                batch = self.source.add_dataframe_asset(frame).add_batch_definition_whole_dataframe("table")
                self.definitions[frame] = self.context.validation_definitions.add(
                    gx.ValidationDefinition(name=frame, data=batch, suite=gx_suite))
                configs = [e.configuration for e in gx_suite.expectations]
                self.configs[frame] = [(c, sub["expectations"][i]["kwargs"], c.type in WHOLE_TABLE)
                                       for i, c in enumerate(configs)]
                per_batch = [e for e in sub["expectations"] if e["type"] not in WHOLE_TABLE]
                self.batch_specs[frame] = per_batch
                self.batch_suites[frame] = ExpectationSuite(name=f"{frame} (batch)", expectations=per_batch)

    def run(self, name: str, src, run_name: str, parents: pa.Array, quarantine: bool, whole=None,
            again: bool = False) -> tuple[list[tuple[str, Any, set[str]]], list[dict]]:
        """(frame, summed result, foreign-key ids) per expectation, and the rows that failed
        a quarantine expectation (collected batch by batch). GX sees the rows of ``src``; the
        whole-table expectations are computed over ``whole`` (carried rows and ``src``).

        ``again`` (the second pass, over ``src`` minus quarantined rows): a batch that lost no
        row is the first pass's batch, row for row, so its results are the first pass's
        (kept reduced to what ``_Sum`` reads) and GX runs only on the batches that lost rows.
        A row referring to a quarantined article left with it, so the parents' change cannot
        change an untouched batch's result."""
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.validator.v1_validator import Validator

        from pipeline.run.pool import trim_heap  # a batch's frames freed, glibc's free pages go back

        pk = list(TABLES[name].primary_key)
        first_fmt = {**FIRST_FORMAT, "unexpected_index_column_names": pk}
        frames = [f for f in self.definitions if f == name or f.startswith(name + ".")]
        sums = {f: [_Sum(c, kw) for c, kw, is_whole in self.configs[f] if not is_whole] for f in frames}
        order: list[_Sum] = []  # GX's order of results, which quarantined rows keep
        before = self.seen.get(name, []) if again else []
        seen: list[tuple[int, dict]] = []
        rows = 0
        batches = src.batches(rows=src.batch_rows(BATCH_BYTES))
        first = next(batches, None)
        if first is None:
            first = src.schema.empty_table()
        for i, table in enumerate(_chain(first, batches)):
            rows += table.num_rows
            if i < len(before) and before[i][0] == table.num_rows:
                for frame, results in before[i][1].items():
                    for k, r in results:
                        sums[frame][k].add(r, _fk_child(name, sums[frame][k].kwargs))
                continue
            batch_results: dict[str, list[tuple[int, _Kept]]] = {}
            for frame, df in _frames(name, table, parents).items():
                vd = self.definitions.get(frame)
                if vd is None:
                    continue
                validator = Validator(batch_definition=vd.batch_definition, batch_parameters={"dataframe": df},
                                      result_format=first_fmt)
                res = validator.validate_expectation_suite(self.batch_suites[frame], self.params)
                self.batch_ids[frame] = validator.active_batch_id
                taken: set[int] = set()
                pairs = [(_matching(sums[frame], r, self.params, taken), r) for r in res.results]
                del res
                pairs = self._detailed(frame, sums[frame], pairs, vd, df, pk)
                place = {id(a): k for k, a in enumerate(sums[frame])}
                for acc, r in pairs:
                    fk_child = _fk_child(name, acc.kwargs)
                    acc.add(r, fk_child)
                    if acc not in order:
                        order.append(acc)
                    if quarantine:
                        acc.bad.extend(_quarantine_rows(name, r, self.params))
                    if not again:
                        batch_results.setdefault(frame, []).append((place[id(acc)], _Kept.of(r, fk_child)))
                del pairs
            if not again:
                seen.append((table.num_rows, batch_results))
            del table
            trim_heap()
        if not again:
            self.seen[name] = seen
        out = []
        run_id = RunIdentifier(run_name=run_name, run_time=self.run_time)
        for frame in frames:
            batch_results = iter(sums[frame])
            results, fk = [], []
            for config, kwargs, is_whole in self.configs[frame]:
                if is_whole:
                    results.append(_whole_table(whole or src, config, kwargs, self.params,
                                                rows + (whole.carried_rows if whole is not None else 0)))
                    fk.append(set())
                else:
                    acc = next(batch_results)
                    results.append(acc.result())
                    fk.append(acc.fk_ids)
            for r in results:
                _strings(r.result, self.shown)
            self._store(frame, results, self.batch_ids.get(frame), run_id)
            out.extend((frame, r, ids) for r, ids in zip(results, fk))
        return out, [row for acc in order for row in acc.bad]

    def _detailed(self, frame: str, sums: list["_Sum"], pairs: list, vd, df, pk: list[str]) -> list:
        """``pairs`` (expectation, counts-only result) with the result of each expectation that
        found unexpected rows, failed or raised replaced by its complete result (GX run again
        on the batch for those expectations only)."""
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.validator.v1_validator import Validator

        again = [acc for acc, r in pairs if _errored(r) or not r.success or (r.result or {}).get("unexpected_count")]
        if not again:
            return pairs
        specs = self.batch_specs[frame]
        suite = ExpectationSuite(name=f"{frame} (detail)",
                                 expectations=[specs[i] for i, acc in enumerate(sums) if acc in again])
        validator = Validator(batch_definition=vd.batch_definition, batch_parameters={"dataframe": df},
                              result_format={**BATCH_FORMAT, "unexpected_index_column_names": pk})
        taken: set[int] = set()
        detail = {id(_matching(again, r, self.params, taken)): r
                  for r in validator.validate_expectation_suite(suite, self.params).results}
        return [(acc, detail.get(id(acc), r)) for acc, r in pairs]

    def _store(self, frame: str, results: list, batch_id: str | None, run_id) -> None:
        """The table's summed results as one validation result, for the Data Docs."""
        from types import SimpleNamespace

        from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
        from great_expectations.validator.validation_statistics import calc_validation_statistics

        if batch_id is None:
            return
        validator = SimpleNamespace(active_batch_id=batch_id)  # all GX reads of it for the result's ids
        vd = self.definitions[frame]
        stats = calc_validation_statistics(results)
        suite_result = ExpectationSuiteValidationResult(
            success=stats.success, results=results, suite_name=frame,
            statistics={"evaluated_expectations": stats.evaluated_expectations,
                        "successful_expectations": stats.successful_expectations,
                        "unsuccessful_expectations": stats.unsuccessful_expectations,
                        "success_percent": stats.success_percent},
            meta={"run_id": run_id, "validation_time": run_id.run_time, "validation_id": vd.id,
                  "batch_parameters": {"dataframe": "<in-memory dataframe, row batches summed>"}},
            batch_id=validator.active_batch_id)
        suite_id, result_id = vd._get_expectation_suite_and_validation_result_ids(validator=validator, run_id=run_id)
        vd._validation_results_store.store_validation_results(
            suite_validation_result=suite_result, suite_validation_result_identifier=result_id,
            expectation_suite_identifier=suite_id)

    def build_docs(self) -> None:
        self.context.build_data_docs()


IDENTIFYING = ("column", "column_list", "regex", "regex_list", "value_set")


def _matching(sums: list[_Sum], r, params: dict, taken: set[int]) -> _Sum:
    """The expectation a result is for (GX returns them in an order of its own)."""
    cfg = r.expectation_config
    for acc in sums:
        if id(acc) not in taken and acc.config.type == cfg.type and (acc.config.meta or {}) == (cfg.meta or {}) and all(
                _same(_resolve(v, params), _resolve(cfg.kwargs.get(k), params))
                for k, v in acc.kwargs.items() if k in IDENTIFYING):
            taken.add(id(acc))
            return acc
    raise LookupError(f"a result for an expectation not in the suite: {cfg.type} {cfg.kwargs}")


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _chain(first, rest):
    yield first
    yield from rest


def _fk_child(name: str, kwargs: dict) -> str | None:
    column = kwargs.get("column")
    return next((fk.columns[0] for fk in TABLES[name].foreign_keys if parent_column(fk) == column), None)


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


def _column_of(kw: dict) -> str | None:
    return kw.get("column") or (",".join(kw["column_list"]) if kw.get("column_list") else None)


def _quarantine_rows(name: str, r, params: dict) -> list[dict]:
    """The rows a failed quarantine expectation names in one batch's complete result."""
    cfg = r.expectation_config
    kw, meta = cfg.kwargs, (cfg.meta or {})
    if r.success or _errored(r) or meta.get("on_failure", "block") != "quarantine":
        return []
    pk = list(TABLES[name].primary_key)
    regex_list = _resolve(kw.get("regex_list"), params)
    column = _column_of(kw)
    return [{"table": name, "key": _key([d.get(k) for k in pk]),
             "expectation": label(cfg.type, column, meta.get("family")),
             "observed": _observed_value(cfg.type, meta.get("family", ""), d.get(kw.get("column")), regex_list)}
            for d in (r.result or {}).get("unexpected_index_list") or []]


def _digest(name: str, frame: str, r, params: dict, pass_name: str, fk_ids: set[str]) -> dict:
    """One result row for reports, from a result summed over the batches."""
    cfg = r.expectation_config
    kw, meta = cfg.kwargs, (cfg.meta or {})
    column = _column_of(kw)
    res = r.result or {}
    error = _errored(r)
    on_failure = meta.get("on_failure", "block")
    fk_child = _fk_child(name, kw)
    if "observed_value" in res:
        observed = _shorten(res["observed_value"])
    elif fk_child:
        observed = json.dumps(sorted(fk_ids)[:5], ensure_ascii=False)
    else:
        sample = [_observed_value(cfg.type, meta.get("family", ""), v, _resolve(kw.get("regex_list"), params))
                  for v in (res.get("partial_unexpected_list") or [])[:3]]
        observed = json.dumps(sample, ensure_ascii=False) if sample else None
    return {
        "table": name, "frame": frame, "pass": pass_name, "expectation": cfg.type, "column": column,
        "family": meta.get("family"), "on_failure": on_failure, "success": bool(r.success),
        "unexpected_count": res.get("unexpected_count"), "observed": error or observed,
    }


def _cascade(sources: dict, dropped_articles: set[str]) -> list[dict]:
    """Rows of child tables whose article was quarantined: rejected with it."""
    out = []
    if not dropped_articles:
        return out
    gone = pa.array(sorted(dropped_articles), type=pa.string())
    for name, src in sources.items():
        if name == "articles" or "article_id" not in TABLES[name].names:
            continue
        pk = list(TABLES[name].primary_key)
        cols = list(dict.fromkeys([*pk, "article_id"]))
        for t in src.batches(cols):
            hit = t.filter(pc.fill_null(pc.is_in(t.column("article_id"), value_set=gone), False))
            for row in hit.to_pylist():
                out.append({"table": name, "key": _key([row[k] for k in pk]),
                            "expectation": "article quarantined", "observed": row["article_id"]})
    return out


def _as_timestamp(run_time: dt.datetime):
    import pandas as pd

    ts = pd.Timestamp(run_time)
    return ts.tz_localize("Asia/Shanghai") if ts.tzinfo is None else ts


def _parent_keys(src) -> pa.Array:
    ids = src.column("article_id").combine_chunks()
    return pc.unique(ids.filter(pc.is_valid(ids)))


class Joined:
    """Carried rows then new ones, as one source for the whole-table checks (key columns:
    uniqueness, foreign keys, row count)."""

    def __init__(self, carried, new):
        self.carried, self.new = carried, new
        self.name, self.schema = new.name, new.schema

    @property
    def carried_rows(self) -> int:
        return self.carried.num_rows

    def batches(self, columns: list[str] | None = None, rows: int | None = None):
        yield from self.carried.batches(columns, rows)
        yield from self.new.batches(columns, rows)

    def column(self, name: str) -> pa.ChunkedArray:
        return pa.chunked_array([*self.carried.column(name).chunks, *self.new.column(name).chunks],
                                type=self.schema.field(name).type)


def validate_sources(sources: dict, run_time: dt.datetime, docs_dir: Path | None = None,
                     suites: dict[str, dict] | None = None, quarantine: bool = True,
                     carried: dict | None = None, carried_from: str | None = None) -> tuple[dict, ValidationReport]:
    """Validate the released tables (``TableSource``s, read a batch at a time); return them
    without the quarantined rows, and the report.

    With ``quarantine=False`` (checking a published release) there is one pass and every
    failure counts against the release. ``carried`` (an incremental release: the rows kept
    from release ``carried_from``, validated when it was published) are not run through GX
    again; key uniqueness, foreign keys and row counts are computed over them and the new
    rows together, from key columns only.
    """
    from pipeline.publish.stream import TableSource

    sources = {n: TableSource.of(n, sources.get(n, [])) for n in RELEASED}
    carried = carried or {}
    suites = suites or load_suites()
    params = patterns.parameters()
    params["run_time"] = _as_timestamp(run_time)
    report = ValidationReport(run_time=params["run_time"].isoformat(), mode="publish" if quarantine else "check",
                              carried={n: s.num_rows for n, s in carried.items()},
                              carried_from=carried_from if carried else None)
    runner = _Runner(suites, params, docs_dir, params["run_time"].to_pydatetime())

    def whole(current: dict, name: str):
        return Joined(carried[name], current[name]) if name in carried else None

    def one_pass(current: dict, pass_name: str, names=RELEASED, again: bool = False) -> tuple[list[dict], list[dict]]:
        parents = _parent_keys(whole(current, "articles") or current["articles"])
        results, rows = [], []
        for name in names:
            found, bad = runner.run(name, current[name], pass_name, parents, quarantine and not again,
                                    whole(current, name), again=again and REUSE_UNTOUCHED)
            results += [_digest(name, frame, r, params, pass_name, fk_ids) for frame, r, fk_ids in found]
            rows.extend(bad)
        return results, rows

    results, bad_rows = one_pass(sources, "input")
    report.rows_in = {n: sources[n].num_rows for n in RELEASED}
    report.results = results
    blocked = [r for r in results if not r["success"] and (r["on_failure"] == "block" or not quarantine
                                                            or r["unexpected_count"] is None)]
    kept = dict(sources)
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
        kept = {n: s.without(by_table.get(n, set())) for n, s in sources.items()}
        dropped = {json.loads(k)[0] for k in by_table.get("articles", set())}
        cascade = _cascade(kept, dropped)
        report.quarantined.extend(cascade)
        for c in cascade:
            by_table.setdefault(c["table"], set()).add(c["key"])
        kept = {n: s.without(by_table.get(n, set())) for n, s in sources.items()}
        changed = [n for n in RELEASED if by_table.get(n) or ("articles" in by_table and TABLES[n].foreign_keys)]
        if changed:
            second, _ = one_pass(kept, "release", changed, again=True)
            report.results += second
            blocked = [r for r in second if not r["success"]]
    report.blocked = blocked
    report.rows_out = {n: (kept[n].num_rows if kept[n].drop else report.rows_in[n]) for n in RELEASED}
    if docs_dir is not None:
        from pipeline.validate.docs import add_static_index, harden

        runner.build_docs()
        harden(Path(docs_dir), runner.shown)
        add_static_index(Path(docs_dir), report)
        report.docs_path = Path(docs_dir)
    return kept, report


def validate_tables(tables: dict[str, pa.Table], run_time: dt.datetime, docs_dir: Path | None = None,
                    suites: dict[str, dict] | None = None, quarantine: bool = True
                    ) -> tuple[dict[str, pa.Table], ValidationReport]:
    """``validate_sources`` on tables in memory; the kept rows come back as Arrow tables."""
    kept, report = validate_sources(tables, run_time, docs_dir, suites, quarantine)
    return {n: s.read() for n, s in kept.items()}, report


def failed_expectations_text(report: ValidationReport) -> str:
    return "; ".join(f"{r['table']}: {label(r['expectation'], r['column'])} "
                     f"(unexpected {r['unexpected_count']}, observed {r['observed']})" for r in report.blocked)

