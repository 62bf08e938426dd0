"""The DGN Prefect flow: the stages of SPEC as tasks, one task per shard of pages.

Prefect lives only here; the work itself is in pure modules (``pipeline.stages`` and the
stage packages), so everything below is testable without a server.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from prefect import flow, get_run_logger, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import PIPELINE_VERSION
from pipeline.assemble import build_tables
from pipeline.dedupe import group_duplicates
from pipeline.ingest import SourceFile, discover, shard
from pipeline.stages import ShardResult, process_files

ProgressHook = Callable[[str, int, int], None]  # (phase, done, total)
_progress: ProgressHook | None = None


def _report(phase: str, done: int, total: int) -> None:
    if _progress is not None:
        _progress(phase, done, total)


@dataclass
class RunSummary:
    pages_in: int
    articles: int
    duplicates: int
    rejected: dict[str, int] = field(default_factory=dict)
    release: str | None = None
    version: str | None = None
    validation_markdown: str = ""
    validation_ok: bool = True

    def line(self) -> str:
        rej = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items())) or "none"
        return (f"pages in {self.pages_in} = articles {self.articles} + duplicates {self.duplicates} + "
                f"rejected {sum(self.rejected.values())} ({rej}); release {self.release}")


@task(name="discover-pages", retries=2, retry_delay_seconds=1)
def discover_pages(inputs: list[str]) -> tuple[list[list[SourceFile]], list[tuple[str, str]]]:
    files, skipped = discover(inputs)
    return shard(files), skipped


@task(name="process-shard", task_run_name="process-shard-{index:05d}", retries=1, retry_delay_seconds=1)
def process_shard(index: int, files: list[SourceFile], limits: dict) -> ShardResult:
    """Ingest, clean, normalize, extract and filter every page of one shard."""
    return process_files(files, limits)


@task(name="dedupe-and-assemble")
def dedupe_and_assemble(results: list[ShardResult]) -> tuple[dict, list[dict], int]:
    cands = [c for r in results for c in r.kept]
    canonical, dups = group_duplicates(cands)
    tables, dup_rows = build_tables(canonical, dups)
    return tables, dup_rows, len(dups)


@task(name="validate-and-publish")
def validate_and_publish(tables: dict, rejected: list[dict], run_info: dict, output_dir: str):
    from pipeline.release import publish_release

    return publish_release(tables, rejected, run_info, Path(output_dir))


def _skipped_rows(skipped: list[tuple[str, str]]) -> list[dict]:
    rows = []
    for path, reason in skipped:
        r, _, detail = reason.partition(": ")
        pid = hashlib.sha256(f"unread:{path}".encode("utf-8", "surrogateescape")).hexdigest()
        rows.append({"page_id": pid, "path": path, "url": None, "stage": "ingest", "reason": r, "detail": detail or None})
    return rows


def _snapshot_hash(results: list[ShardResult], rejected: list[dict]) -> str:
    ids = sorted([c["page_id"] for r in results for c in r.kept] + [r["page_id"] for r in rejected])
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


@flow(name="dgn-release", flow_run_name="dgn-release-{output_dir}", task_runner=ThreadPoolTaskRunner(max_workers=2),
      log_prints=True)
def build_release(inputs: list[str], output_dir: str = "output", min_topic_score: float = 0.05,
                  min_chars: int = 120) -> RunSummary:
    """Raw pages in, one validated release out (or a loud failure that publishes nothing)."""
    logger = get_run_logger()
    limits = {"min_topic_score": min_topic_score, "min_chars": min_chars}
    shards, skipped = discover_pages(inputs)
    total = sum(len(s) for s in shards)
    _report("pages", 0, total)
    futures = [process_shard.submit(i, files, limits) for i, files in enumerate(shards)]
    index = {id(f): i for i, f in enumerate(futures)}
    results: list[ShardResult | None] = [None] * len(futures)
    done = 0
    for fut in as_completed(futures):
        i = index[id(fut)]
        results[i] = fut.result()
        done += len(shards[i])
        _report("pages", done, total)
    results = [r for r in results if r is not None]
    rejected = _skipped_rows(skipped) + [row for r in results for row in r.rejected]
    tables, dup_rows, n_dups = dedupe_and_assemble(results)
    pages_in = len(skipped) + sum(r.pages_in for r in results)
    n_articles = len(tables["articles"])
    if pages_in != n_articles + n_dups + len(rejected):
        raise RuntimeError(f"page accounting broken: {pages_in} in, {n_articles} articles, {n_dups} duplicates, "
                           f"{len(rejected)} rejected")
    redactions = Counter()
    for r in results:
        redactions.update(r.redactions)
    run_info = {
        "pages_in": pages_in, "articles": n_articles, "duplicates": n_dups,
        "rejected": dict(sorted(Counter(r["reason"] for r in rejected).items())),
        "redactions": dict(sorted(redactions.items())), "inputs": [str(p) for p in inputs],
        "input_snapshot": _snapshot_hash(results, rejected), "pipeline_version": PIPELINE_VERSION,
        "limits": limits,
    }
    _report("publish", 0, 1)
    try:
        result = validate_and_publish(tables, rejected + dup_rows, run_info, output_dir)
    except Exception as e:
        e.run_info = run_info  # the CLI shows what happened to the pages next to the failed check
        raise
    _report("publish", 1, 1)
    _publish_artifacts(result)
    summary = RunSummary(pages_in=pages_in, articles=result.row_counts.get("articles", n_articles),
                         duplicates=n_dups, rejected=dict(result.rejected_counts), release=str(result.path),
                         version=result.version, validation_markdown=result.validation_markdown,
                         validation_ok=result.validation_ok)
    summary.rejected.pop("duplicate_of", None)
    logger.info(summary.line())
    return summary


def _publish_artifacts(result) -> None:
    """What Prefect's UI shows for a run: the expectation results and a link to the Data Docs."""
    from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

    rows = [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in getattr(result, "expectation_results", [])]
    if rows:
        create_table_artifact(key="dgn-validation-results", table=rows, description="Expectation results")
    create_markdown_artifact(key="dgn-validation-summary", markdown=result.validation_markdown or "(no summary)")
    docs = Path(result.path) / "validation" / "index.html"
    create_link_artifact(key="dgn-data-docs", link=docs.resolve().as_uri(), link_text="Data Docs")


def run(inputs: list[str] | None = None, output_dir: str | Path = "output", min_topic_score: float = 0.05,
        min_chars: int = 120, progress: ProgressHook | None = None) -> RunSummary:
    """Python API behind `dgn run`: the bundled sample pages when no inputs are given."""
    global _progress
    if not inputs:
        inputs = [str(sample_dir())]
    _progress = progress
    try:
        return build_release(inputs=[str(i) for i in inputs], output_dir=str(output_dir),
                             min_topic_score=min_topic_score, min_chars=min_chars)
    finally:
        _progress = None


def sample_dir() -> Path:
    return Path(__file__).parent / "samples"
