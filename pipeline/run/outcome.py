"""What a run did, in the words a steward reads in Prefect's UI: published or blocked, where
every page went, what each table kept, which expectations failed.

Pure: the flow builds an ``Outcome`` from a published release or from a blocked one, then
logs ``accounting_lines`` and publishes ``markdown`` as the run's artifact.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    published: bool
    pages_in: int
    articles: int
    duplicates: int
    rejected: dict[str, int]  # pages by reason
    tables: dict[str, tuple[int, int, int]]  # table: (rows in, quarantined, released)
    location: str  # the release folder, or the blocked run's report folder
    failed: list[dict] = field(default_factory=list)  # failed expectation results
    version: str = ""
    error: str = ""  # why a run stopped that no expectation explains
    previous: str = ""  # the release LATEST names, if any


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def by_reason(rejected: dict[str, int], count_first: bool = False) -> str:
    """Rejected pages by reason, most first, ties by name: ``off_topic 3, too_short 1`` (or
    ``3 off_topic, 1 too_short``). The one wording of the reasons that the run's log, its
    Prefect artifact and the CLI's blocked-run message share."""
    return ", ".join(f"{n} {r}" if count_first else f"{r} {n}" for r, n in _by_count(rejected))


def accounting_lines(o: Outcome) -> list[str]:
    """The page accounting for the flow-run log: pages by outcome, then rejected by reason."""
    lines = [f"pages in {o.pages_in} = articles {o.articles} + duplicates {o.duplicates} + "
             f"rejected {sum(o.rejected.values())}"]
    if o.rejected:
        lines.append("rejected by reason: " + by_reason(o.rejected))
    if o.published:
        lines.append(f"published {o.location}")
    elif o.error:
        lines.append(f"failed, nothing published in {o.location}: {o.error}")
    else:
        lines.append(f"blocked by validation, nothing published; report {o.location}/index.html")
    return lines


def verdict(o: Outcome) -> str:
    return "published" if o.published else "FAILED, nothing published" if o.error \
        else "BLOCKED, nothing published"


def _cell(v) -> str:
    return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")


def _unchanged(o: Outcome) -> str:
    return f"The latest release, {o.previous}, is unchanged." if o.previous else "There is no release yet."


def _verdict(o: Outcome) -> list[str]:
    if o.published:
        quarantined = sum(q for _, q, _ in o.tables.values())
        kept = f", {quarantined} rows quarantined" if quarantined else ""
        return [f"# DGN run: published {o.version}".rstrip(), "",
                f"**Verdict: published.** Validation passed{kept}.", "", f"Release: `{o.location}`  ",
                f"Data Docs (open on the machine that ran it): `{o.location}/validation/index.html`"]
    if o.error:
        return ["# DGN run: failed", "", f"**Verdict: FAILED, nothing was published**: {o.error}. {_unchanged(o)}",
                "", f"Output folder: `{o.location}`"]
    lines = [f"# DGN run: blocked {o.version}".rstrip(), "",
             "**Verdict: BLOCKED, nothing was published**: a check that guards the whole release failed "
             f"(Failed expectations, below). {_unchanged(o)}", ""]
    if o.articles == 0 and o.pages_in:
        lines += ["No page became an article: every page was a duplicate or rejected (reasons below)."]
        if o.rejected.get("off_topic"):
            lines += ["Nothing was on topic: parameter `min_topic_score` 0 (`dgn run --min-topic-score 0`) "
                      "keeps every page."]
        lines += [""]
    lines += [f"Report: `{o.location}/index.html`  ",
              f"Rejected pages with their reasons: `{o.location}/rejected.csv`"]
    return lines


def markdown(o: Outcome) -> str:
    """The run summary: verdict, pages in = articles + duplicates + rejected, rejected by reason,
    rows per table, where the release (or the blocked report) is, failed expectations."""
    lines = _verdict(o)
    lines += ["", "## Pages", "", accounting_lines(o)[0], "", "| outcome | pages |", "|---|---:|",
              f"| articles | {o.articles} |", f"| duplicates | {o.duplicates} |"]
    lines += [f"| rejected: {_cell(r)} | {n} |" for r, n in _by_count(o.rejected)]
    lines += ["", "## Tables", "", "| table | rows in | quarantined | released |", "|---|---:|---:|---:|"]
    lines += [f"| {t} | {i} | {q} | {r} |" for t, (i, q, r) in o.tables.items()]
    lines += ["", "## Failed expectations", ""]
    if o.failed:
        lines += ["| table | expectation | column | unexpected | observed | on failure |", "|---|---|---|---:|---|---|"]
        lines += [f"| {_cell(f.get('table'))} | {_cell(f.get('expectation'))} | {_cell(f.get('column'))} | "
                  f"{_cell(f.get('unexpected_count'))} | {_cell(f.get('observed'))} | {_cell(f.get('on_failure'))} |"
                  for f in o.failed]
    else:
        lines += ["none"]
    return "\n".join(lines) + "\n"
