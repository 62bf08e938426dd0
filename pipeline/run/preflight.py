"""What a run knows before Prefect starts: the options that change its result, the summary it
reports, and the answer of a run with nothing new.

Importing Prefect costs seconds and its temporary server more: a run whose pages the latest
release already holds answers from this module alone (Prefect, GX and the cleaner are never
imported), in about the time it takes to read the pages and hash them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.limits import page_limits


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
    new_pages: int = 0
    unchanged_pages: int = 0
    published: bool = True
    note: str | None = None  # why the run did more than its new pages (options changed)

    def line(self) -> str:
        if not self.published:
            return (f"nothing new: {self.unchanged_pages} pages already in release {self.version}; "
                    f"no release published ({self.release})")
        rej = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items())) or "none"
        head = f"pages in {self.pages_in} = articles {self.articles} + duplicates {self.duplicates} + " \
               f"rejected {sum(self.rejected.values())} ({rej})"
        if self.unchanged_pages:
            head += f"; {self.new_pages} new, {self.unchanged_pages} unchanged"
        head = f"{head}; release {self.release}"
        return f"{self.note}\n{head}" if self.note else head


def result_options(min_topic_score: float, min_chars: int) -> dict:
    """The options that change what a run releases (the manifest keeps them as ``limits``)."""
    return {"min_topic_score": min_topic_score, "min_chars": min_chars, **page_limits().as_dict()}


def sample_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "samples"


def run_inputs(inputs: list[str] | None) -> list[str]:
    """The inputs as absolute paths; the bundled sample pages when none are given."""
    return [str(Path(i).resolve()) for i in (inputs or [sample_dir()])]


def nothing_new(inputs: list[str], output_dir: str | Path, options: dict) -> RunSummary | None:
    """The summary of a run that would publish nothing, when the latest release (built with
    the same ``options``) already holds every page of ``inputs``; None when any page is new.

    When the known files were saved by the run that made the latest release and name every
    input file as it is now, the listing and that file answer (``known.covered``); otherwise
    the release's page ids are read and the files they do not cover are opened."""
    from pipeline.ingest.discover import discover
    from pipeline.ingest.known import KnownFiles, covered
    from pipeline.run.incremental import (
        current_release,
        release_token,
        seen_pages,
        unchanged_pages,
    )

    current = current_release(output_dir, options)
    if current is None:
        return None
    rel, manifest = current
    listing = discover(inputs)
    counts = manifest.get("row_counts", {})
    if not listing[1] and "articles" in counts and "pages_in" in manifest.get("run", {}):
        n = covered(output_dir, options, release_token(rel), listing[0])
        if n is not None:
            return _quiet(output_dir, rel.name, int(manifest["run"]["pages_in"]), int(counts["articles"]), n)
    latest = seen_pages(output_dir, options, current)
    if latest is None:
        return None
    version, pages_in, articles, seen = latest
    n = unchanged_pages(inputs, seen, KnownFiles.load(output_dir, options), listing)
    if n is None:
        return None
    return _quiet(output_dir, version, pages_in, articles, n)


def _quiet(output_dir: str | Path, version: str, pages_in: int, articles: int, unchanged: int) -> RunSummary:
    return RunSummary(pages_in=pages_in, articles=articles, duplicates=0,
                      release=str(Path(output_dir) / "releases" / version), version=version,
                      unchanged_pages=unchanged, published=False)
