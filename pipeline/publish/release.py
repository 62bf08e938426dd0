"""Publish a release: typed, validated, described and checksummed, made visible atomically.

Everything is written into ``releases/.tmp-<version>-<pid>/`` and renamed into place; the
``LATEST`` pointer is replaced last. A reader therefore sees either the previous release as
latest or the complete new one, never half of it, and a killed publish leaves only a
``.tmp-*`` folder that the next publish removes. One publish at a time per output folder
(an exclusive lock on ``releases/.lock``); a second one waits for it. A whole run holds
``<output>/.dgn-run.lock`` (``run_lock``) from reading the latest release to publishing the
next, so two runs on one folder take turns instead of both building on the same release.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import PIPELINE_VERSION
from pipeline.faults import pause
from pipeline.tables import RELEASED, SCHEMA_VERSION, TZ, sort_by_key, to_arrow
from pipeline.normalize.pii import redact_text as redact

SHANGHAI = dt.timezone(dt.timedelta(hours=8), TZ)
QUARANTINE_REASON = "failed_validation"


class ValidationBlocked(RuntimeError):
    """A table-level expectation failed: nothing was published and LATEST is unchanged."""

    def __init__(self, message: str, report=None, docs_path: Path | None = None):
        super().__init__(message)
        self.report = report
        self.docs_path = docs_path


@dataclass
class ReleaseResult:
    """``rejected_counts`` counts pages by reason (so that pages in = articles + duplicates +
    rejected still adds up after validation); ``quarantined_rows`` counts rows per table."""

    path: Path
    version: str
    row_counts: dict[str, int]
    rejected_counts: dict[str, int]
    validation_markdown: str
    validation_ok: bool
    expectation_results: list[dict] = field(default_factory=list)
    quarantined: int = 0
    quarantined_rows: dict[str, int] = field(default_factory=dict)
    docs_path: Path | None = None


def releases_dir(output_dir: Path) -> Path:
    return Path(output_dir) / "releases"


VERSION_NAME = re.compile(r"^\d{4}\.\d{2}\.\d{2}(?:\.\d+)?$")
log = logging.getLogger("dgn.release")


class ReleaseUntrusted(RuntimeError):
    """The previous release cannot be trusted and none can stand in for it: building on
    nothing would publish a release that silently lost its older articles."""


def check_release(path: Path) -> str | None:
    """Why the release folder cannot be trusted (missing, no ``SHA256SUMS``, a file missing or
    changed since it was published), or None when every file it lists checks out."""
    sums = path / "SHA256SUMS"
    if not path.is_dir():
        return "its folder is missing"
    if not sums.is_file():
        return "it has no SHA256SUMS"
    stats, seal = _seal_of(path)
    if _verified(path) == seal:
        return None
    why = _check_sums(str(path), stats)
    if why is None:
        _remember_verified(path, seal)
    return why


def _seal_of(path: Path) -> tuple[tuple, str]:
    """The stats of the release's files and their digest (the seal)."""
    stats = tuple((p.as_posix(), *_stat(p)) for p in sorted(path.rglob("*")) if p.is_file())
    return stats, hashlib.sha256(repr(stats).encode("utf-8")).hexdigest()


def _stat(p: Path) -> tuple[int, int, int, int]:
    """What any write to a file changes: size, mtime, and ctime, which no caller can set back
    (``os.utime`` itself moves it), with the inode."""
    st = p.stat()
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def _seal_file(release: Path) -> Path:
    """``OUTPUT/.cache/verified/<version>``, beside the shard cache, out of ``releases/``."""
    return release.parent.parent / ".cache" / "verified" / release.name


def _verified(release: Path) -> str | None:
    """The seal of the release's files when their checksums last checked out: a run with
    nothing new then trusts the release without reading its data again (4 s at 100,000
    articles). Any file written since, replaced, added or removed changes the seal."""
    try:
        return _seal_file(release).read_text("utf-8").strip()
    except OSError:
        return None


def _remember_verified(release: Path, seal: str) -> None:
    target = _seal_file(release)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_text(seal + "\n", "utf-8")
        os.replace(tmp, target)
    except OSError:  # a read-only output folder: the release is simply hashed again next time
        pass


@lru_cache(maxsize=8)
def _check_sums(path: str, _stats: tuple) -> str | None:
    """Cached on the folder's file names, sizes and mtimes: a run asks more than once."""
    folder = Path(path)
    try:
        lines = (folder / "SHA256SUMS").read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        return f"its SHA256SUMS cannot be read ({e})"
    listed = set()
    for line in lines:
        digest, _, name = line.partition("  ")
        target = (folder / name).resolve()
        if not name or Path(name).is_absolute() or folder.resolve() not in target.parents:
            return f"its SHA256SUMS names a file outside it ({name!r})"
        listed.add(name)
        if not target.is_file():
            return f"{name} is missing"
        if sha256_file(target)[0] != digest:
            return f"{name} changed since it was published"
    if not any(n == "data/articles.parquet" or n.startswith("data/articles.parquet/") for n in listed):
        return "its SHA256SUMS does not cover the articles table (data/articles.parquet/)"
    return None


def latest(output_dir: Path) -> Path | None:
    """The newest release that checks out: the one ``LATEST`` names, or, when that one is
    missing, outside ``releases/`` or fails its checksums, the newest complete one (with a
    warning). None when there never was a release; ``ReleaseUntrusted`` when there were
    releases but none checks out."""
    root = releases_dir(output_dir)
    pointer = root / "LATEST"
    named = pointer.read_text("utf-8", "replace").strip() if pointer.is_file() else ""
    problem = None
    if named:
        if not VERSION_NAME.match(named):
            problem = f"LATEST names {named[:80]!r}, which is no release of this folder"
        else:
            why = check_release(root / named)
            if why is None:
                return root / named
            problem = f"LATEST names release {named}, but {why}"
    candidates = sorted((p for p in root.glob("*") if p.is_dir() and VERSION_NAME.match(p.name)),
                        key=lambda p: [int(x) for x in p.name.split(".")], reverse=True)
    for cand in candidates:
        if cand.name != named and check_release(cand) is None:
            if problem:
                log.warning("%s; building on release %s, the newest that checks out", problem, cand.name)
            return cand
    if problem or candidates:
        raise ReleaseUntrusted(f"{problem or 'no release in ' + str(root) + ' checks out'}; no other release "
                               f"checks out either. Restore it, or move {root} away to start a new dataset")
    return None


def next_version(root: Path, now: dt.datetime) -> str:
    """``YYYY.MM.DD`` of ``now`` in Shanghai, then ``.1``, ``.2``, ... for more that day."""
    base = now.astimezone(SHANGHAI).strftime("%Y.%m.%d")
    version, n = base, 0
    while (root / version).exists():
        n += 1
        version = f"{base}.{n}"
    return version


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def run_lock(output_dir: Path | str, wait: bool = True) -> Iterator[None]:
    """Hold the output folder for one run. A second run says who holds it, then waits (or,
    with ``wait=False``, raises ``RunLocked``). The kernel drops the lock when its holder dies,
    so a killed run never blocks the next one."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".dgn-run.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            msg = f"output folder {out} is in use by another dgn run ({holder})"
            if not wait:
                raise RunLocked(msg) from None
            print(f"dgn: {msg}; waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class RunLocked(RuntimeError):
    """Another run holds the output folder."""


def _sweep(root: Path) -> None:
    """Folders of publishes that died half-way (we hold the lock, so none is running)."""
    for p in root.glob(".tmp-*"):
        shutil.rmtree(p, ignore_errors=True)


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """On disk before the rename, so that a crash cannot leave a named but empty release."""
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
        elif p.is_dir():
            _fsync_dir(p)
    _fsync_dir(folder)


def _quarantine_rows(report, articles: pa.Table, page_paths: dict[str, str] | None = None) -> list[dict]:
    """One rejected row per quarantined row, naming every expectation it failed. Every row
    names its article's page (id, path, url, title), so that a steward can open the page; an
    article row's page now ends in rejected instead."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for q in report.quarantined:
        grouped.setdefault((q["table"], q["key"]), []).append(q)
    pages = _article_pages(articles, {json.loads(k)[0] for _, k in grouped})
    paths = page_paths or {}
    out = []
    for (table, key), qs in sorted(grouped.items()):
        page = pages.get(json.loads(key)[0], {})
        out.append({"reason": QUARANTINE_REASON, "stage": "validate", "table": table, "key": key,
                    "page_id": page.get("page_id") if table == "articles" else None,
                    "path": paths.get(page.get("page_id")), "url": page.get("url"), "title": page.get("title"),
                    "expectation": "; ".join(q["expectation"] for q in qs),
                    "observed": "; ".join(str(q["observed"]) for q in qs),
                    "detail": f"{len(qs)} expectation(s) failed"})
    return out


def _article_pages(articles, ids: set[str]) -> dict[str, dict]:
    """page_id, url and title of the articles ``ids``, read a batch at a time."""
    from pipeline.publish.stream import TableSource

    if not ids:
        return {}
    wanted = pa.array(sorted(i for i in ids if i is not None), type=pa.string())
    out = {}
    for t in TableSource.of("articles", articles).batches(["article_id", "page_id", "url", "title"]):
        hit = t.filter(pc.fill_null(pc.is_in(t.column("article_id"), value_set=wanted), False))
        out.update({r["article_id"]: r for r in hit.to_pylist()})
    return out


def _is_id(column: str) -> bool:
    return column.endswith("_id") or column == "duplicate_of"


def redact_table(table: pa.Table) -> pa.Table:
    """Every text and text-list column but the ids with PII redacted: the last pass over all
    that a release holds, whatever column a value slipped into (a source, a url's query
    string, a rejected page's path). Columns without a match are left as they are."""
    for i, col in enumerate(table.schema):
        if _is_id(col.name) or not (pa.types.is_string(col.type) or pa.types.is_list(col.type)):
            continue
        values = table.column(i).to_pylist()
        if pa.types.is_list(col.type):
            fixed = [None if v is None else [redact(x) for x in v] for v in values]
        else:
            fixed = [redact(v) for v in values]
        if fixed != values:
            table = table.set_column(i, col, pa.array(fixed, type=col.type))
    return table


def _orphan(row: dict) -> dict:
    """A copy of an article that failed validation: it fails with it, and names no article
    the release does not hold."""
    return {**row, "reason": QUARANTINE_REASON, "duplicate_of": None,
            "detail": f"a copy of article {row['duplicate_of']}, which failed validation"}


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table of an older release in this schema: columns it lacks are null."""
    cols = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def _rejected_table(rejected: list[dict], report, articles: pa.Table, carried: pa.Table | None = None,
                    page_paths: dict[str, str] | None = None) -> pa.Table:
    """This run's rejected rows, redacted, after the rows carried from the previous release
    (redacted when it was published: redaction leaves its own output as it is, so the carried
    rows, which grow with the release, are not read through it again)."""
    gone = {json.loads(q["key"])[0] for q in report.quarantined if q["table"] == "articles"} if report else set()
    rows = [_orphan(r) if r.get("duplicate_of") in gone else r for r in rejected]
    table = to_arrow("rejected", [*rows, *(_quarantine_rows(report, articles, page_paths) if report else [])])
    if carried is None or not carried.num_rows:
        return redact_table(table)
    old = _conform(carried, table.schema)
    both = pa.concat_tables([old, table])
    both = both.append_column("_row", pa.array(range(both.num_rows), pa.int64()))
    order = sort_by_key("rejected", both).column("_row")  # the order of the values before redaction
    return pa.concat_tables([old, redact_table(table)]).take(order)


def page_counts(rejected: pa.Table) -> dict[str, int]:
    """Rejected pages by reason: rows of child tables quarantined by validation are not pages."""
    rows = rejected.select(["reason", "table"]).to_pylist()
    return dict(sorted(Counter(r["reason"] for r in rows if r["table"] in (None, "articles")).items()))


def row_counts_quarantined(rejected: pa.Table) -> dict[str, int]:
    return dict(sorted(Counter(t for t in rejected.column("table").to_pylist() if t).items()))


def _write_sums(folder: Path, known: dict[str, str] | None = None) -> None:
    """Every file of the release; ``known`` (path -> sha256) for the data parts the manifest
    already hashed, so that carried parts are not read again."""
    known = known or {}
    lines = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != "SHA256SUMS":
            name = p.relative_to(folder).as_posix()
            digest = known.get(name) or sha256_file(p)[0]
            lines.append(f"{digest}  {name}")
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", "utf-8")


def _write_latest(root: Path, version: str) -> None:
    tmp = root / f".LATEST.{os.getpid()}"
    tmp.write_text(version + "\n", "utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, root / "LATEST")
    _fsync_dir(root)


def write_parquet(table: pa.Table, path: Path) -> None:
    """zstd, no run time or writer options that vary: same table, same bytes."""
    import pyarrow.parquet as pq

    from pipeline.publish.stream import PARQUET_OPTIONS

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, **PARQUET_OPTIONS)


def stage_table(src, path: Path):
    """The table typed and redacted into a scratch Parquet file, read back a batch at a time
    by validation and by ``write_data``: redaction runs once a row."""
    from pipeline.publish.stream import ParquetSink, TableSource

    with ParquetSink(path, src.schema, options={"compression": "lz4"}) as out:
        for batch in src.batches():
            out.write(redact_table(batch))
    return TableSource(src.name, files=(path,))


def _validation_entry(report, parts: dict[str, list[dict]], version: str) -> dict | None:
    """The verdict, the parts this release wrote (its new rows, validated row by row now, and
    rewritten parts, whose rows differ from validated ones only in ``duplicate_count``) and the
    parts it carries, by the release that wrote and validated them."""
    if report is None:
        return None
    carried: dict[str, list[str]] = {}
    now: dict[str, list[str]] = {}
    for name, ps in parts.items():
        for p in ps:
            where = now if p["release"] == version else carried.setdefault(p["release"], {})
            where.setdefault(name, []).append(p["parquet"]["path"])
    return {"ok": report.ok, "quarantined": len(report.quarantined), "parts_written": now,
            "parts_carried": carried}


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"


def write_data(folder: Path, tables: dict, version: str, carry=None) -> dict[str, list[dict]]:
    """Every table as parts (``pipeline.publish.parts``): all of them written, or, with
    ``carry``, the previous release's parts linked and only the new rows written."""
    from pipeline.publish.parts import WHOLE, carry_table, write_parts
    from pipeline.publish.stream import TableSource

    out = {}
    for name in RELEASED:
        src = TableSource.of(name, tables[name])
        out[name] = (carry_table(carry, src, folder, version) if carry is not None and name not in WHOLE
                     else write_parts(src, folder, version))
    return out


def write_release_files(folder: Path, tables: dict[str, pa.Table], rejected: pa.Table, report,
                        run_info: dict, version: str, now: dt.datetime, previous: Path | None,
                        carry=None) -> dict[str, str]:
    """Data files, then the descriptions that hash or summarise them. Returns the sha256 of
    each data file (release-relative path), for ``SHA256SUMS``."""
    from pipeline.publish import card, datapackage, report as front_page
    from pipeline.publish.coverage import Released, cache_dir
    from pipeline.publish.diff import diff_releases, render_markdown

    parts = write_data(folder, tables, version, carry)
    released = Released.of_release(folder, parts, cache_dir(folder))
    counts = released.rows
    write_parquet(rejected, folder / "rejected.parquet")
    hashes = {f["path"]: (f["sha256"], f["bytes"]) for ps in parts.values() for p in ps
              for f in (p["parquet"], p["csv"]) if f}
    hashes["rejected.parquet"] = sha256_file(folder / "rejected.parquet")
    created = now.astimezone(SHANGHAI).isoformat()
    diff = None
    if previous is not None:
        diff = diff_releases(previous, folder)
        diff["new"] = version
    manifest = {
        "version": version, "schema_version": SCHEMA_VERSION, "pipeline_version": PIPELINE_VERSION,
        "created_at": created, "input_snapshot": run_info.get("input_snapshot"),
        "row_counts": counts,
        "rejected_counts": page_counts(rejected),
        "quarantined_rows": row_counts_quarantined(rejected),
        "validation": _validation_entry(report, parts, version),
        "previous": diff["old"] if diff else None,
        "diff": diff,
        "run": run_info,
        "files": {k: {"sha256": v[0], "bytes": v[1]} for k, v in sorted(hashes.items())},
        "parts": parts,
    }
    (folder / "manifest.json").write_text(_json(manifest), "utf-8")
    (folder / "datapackage.json").write_text(
        _json(datapackage.descriptor(version, created, hashes, parts)), "utf-8")
    validation_md = report.markdown if report else "Validation was skipped for this release."
    (folder / "README.md").write_text(
        redact(card.render(version, manifest, released, rejected, validation_md,
                           render_markdown(diff) if diff else None)), "utf-8")
    card.write_citation(folder, version, manifest)
    front_page.write_release_report(folder, version, report, released, rejected, manifest, previous)
    return {k: v[0] for k, v in hashes.items()}


def publish_release(tables: dict[str, list[dict] | pa.Table], rejected: list[dict], run_info: dict, output_dir: Path,
                    now: dt.datetime | None = None, validate: bool = True,
                    carried_rejected: pa.Table | None = None, page_paths: dict[str, str] | None = None,
                    carry=None) -> ReleaseResult:
    """Type, validate, write and atomically publish one release; see the module docstring.

    ``tables`` are rows or Arrow tables of the release's schema; ``carried_rejected`` the
    rejected rows of the previous release that an incremental release keeps; ``page_paths``
    the input path of each page id, for the rows validation quarantines.

    With ``carry`` (``pipeline.publish.parts.Carry``: the previous release and the duplicates
    this run adds to its articles) the release is incremental: ``tables`` hold the new rows
    only (and ``organizations`` whole); GX validates them, the whole-table checks run on the
    key columns of the carried parts and the new rows, and the carried parts are linked.

    Raises ``ValidationBlocked`` (publishing nothing) when a blocking expectation fails; its
    Data Docs are then kept in ``output_dir/blocked/<version>/`` for the post-mortem.
    """
    now = (now or dt.datetime.now(SHANGHAI))
    if now.tzinfo is None:
        now = now.replace(tzinfo=SHANGHAI)
    from pipeline.publish.stream import TableSource

    given = {name: TableSource.of(name, tables.get(name, [])) for name in RELEASED}
    root = releases_dir(output_dir)
    with _locked(root):
        _sweep(root)
        version = next_version(root, now)
        tmp = root / f".tmp-{version}-{os.getpid()}"
        tmp.mkdir()
        try:
            report = None
            work = tmp / ".work"
            typed = {name: stage_table(src, work / f"{name}.parquet") for name, src in given.items()}
            kept = typed
            pause("validate")
            if validate:
                from pipeline.validate.docs import write_summary
                from pipeline.validate.run import failed_expectations_text, validate_sources

                from pipeline.publish.parts import carried_sources

                carried = carried_sources(carry) if carry is not None else None
                kept, report = validate_sources(typed, now, docs_dir=tmp / "validation", carried=carried,
                                                carried_from=carry.version if carry is not None else None)
                write_summary(report, tmp / "validation")
                if not report.ok:
                    blocked_dir = Path(output_dir) / "blocked" / version
                    shutil.rmtree(blocked_dir, ignore_errors=True)
                    blocked_dir.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(tmp / "validation"), str(blocked_dir))
                    from pipeline.publish.report import write_blocked_report
                    write_blocked_report(blocked_dir, version, report, typed, rejected, run_info)
                    raise ValidationBlocked(
                        f"release blocked by validation: {failed_expectations_text(report)}",
                        report, blocked_dir)
            rejected_table = _rejected_table(rejected, report, typed["articles"], carried_rejected, page_paths)
            known = write_release_files(tmp, kept, rejected_table, report, run_info, version, now,
                                        previous=carry.release if carry is not None else latest(output_dir),
                                        carry=carry)
            row_counts = json.loads((tmp / "manifest.json").read_text("utf-8"))["row_counts"]
            shutil.rmtree(work)
            _write_sums(tmp, known)
            _fsync_tree(tmp)
            pause("publish")
            final = root / version
            os.rename(tmp, final)
            pause("latest")
            _write_latest(root, version)
            _remember_verified(final, _seal_of(final)[1])  # its sums were just written from its bytes
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return ReleaseResult(
        path=final, version=version,
        row_counts=row_counts,
        rejected_counts=page_counts(rejected_table),
        quarantined_rows=row_counts_quarantined(rejected_table),
        validation_markdown=report.markdown if report else "Validation skipped (validate=False).",
        validation_ok=report.ok if report else True,
        expectation_results=[_public(r) for r in report.results] if report else [],
        quarantined=rejected_table.filter(pc.is_valid(rejected_table.column("table"))).num_rows,
        docs_path=final / "validation" if report else None,
    )


def _public(r: dict) -> dict:
    keys = ("table", "expectation", "column", "success", "unexpected_count", "observed", "family",
            "on_failure", "pass")
    return {k: r.get(k) for k in keys}
