"""What Prefect's UI shows for a run: the run summary as a markdown artifact (published or
blocked) and the page accounting in the flow-run logs, read back with Prefect's client."""
import asyncio
import logging

import pytest

from pipeline.run.outcome import Outcome, accounting_lines, markdown


def _artifacts(flow_run_id) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))

    return {a.key: a for a in asyncio.run(read())}


def _flow_run_named(name: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    async def read():
        async with get_client() as client:
            return await client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))

    (run,) = asyncio.run(read())
    return run


def _logs(flow_run_id) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()

    async def read():
        async with get_client() as client:
            return await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))

    return [log.message for log in asyncio.run(read())]


def test_summary_adds_up_pages_and_names_each_failed_check():
    o = Outcome(published=True, pages_in=9, articles=5, duplicates=1, rejected={"too_short": 1, "off_topic": 2},
                tables={"articles": (6, 1, 5), "people": (3, 0, 3)}, location="/out/releases/2026.01.02",
                failed=[{"table": "articles", "expectation": "expect_column_values_to_match_regex",
                         "column": "url", "unexpected_count": 1, "observed": "a|b", "on_failure": "quarantine"}],
                version="2026.01.02")
    md = markdown(o)
    assert "**Verdict: published.** Validation passed, 1 rows quarantined." in md
    assert "pages in 9 = articles 5 + duplicates 1 + rejected 3" in md
    assert md.index("| rejected: off_topic | 2 |") < md.index("| rejected: too_short | 1 |")
    assert "| articles | 6 | 1 | 5 |" in md and "`/out/releases/2026.01.02/validation/index.html`" in md
    assert "| url | 1 | a\\|b | quarantine |" in md and "file://" not in md
    assert accounting_lines(o)[:2] == ["pages in 9 = articles 5 + duplicates 1 + rejected 3",
                                       "rejected by reason: off_topic 2, too_short 1"]


def test_published_run_has_its_summary_artifact(sample_release):
    summary, rel, out = sample_release
    run = _flow_run_named(f"dgn-release-{out}")
    arts = _artifacts(run.id)
    assert "dgn-data-docs" not in arts  # a file:// link the UI does not open
    md = arts["dgn-run-summary"].data
    assert f"# DGN run: published {summary.version}" in md and f"Release: `{rel}`" in md
    assert f"pages in {summary.pages_in} = articles {summary.articles} + duplicates {summary.duplicates}" in md
    assert "| articles |" in md and "## Failed expectations" in md
    assert {"dgn-validation-results", "dgn-validation-summary"} <= set(arts)


@pytest.mark.slow
def test_blocked_run_explains_itself_in_an_artifact_and_the_log(tmp_path, prefect_harness, monkeypatch):
    """No page on topic: validation blocks the release; the UI still gets the summary (verdict,
    pages by reason, the blocking check, where the report is) and the log the accounting."""
    from pipeline.flows import build_release

    monkeypatch.setattr(logging.getLogger("prefect.flow_runs"), "level", logging.INFO)
    pages = tmp_path / "in"
    pages.mkdir()
    for i in range(2):
        (pages / f"w{i}.txt").write_text(
            f"明日天气预报第{i}期\n2024-03-0{i + 1}\n明天白天多云转晴，最高气温十八度，最低气温九度，"
            f"偏北风三到四级，夜间有轻雾，出行请注意交通安全，早晚温差较大注意添衣。", "utf-8")
    out = tmp_path / "out"
    state = build_release(inputs=[str(pages)], output_dir=str(out), min_chars=0, return_state=True)
    assert state.is_failed() and not (out / "releases" / "LATEST").exists()
    run_id = state.state_details.flow_run_id
    md = _artifacts(run_id)["dgn-run-summary"].data
    (blocked,) = (out / "blocked").iterdir()
    assert "**Verdict: BLOCKED, nothing was published**" in md
    assert "pages in 2 = articles 0 + duplicates 0 + rejected 2" in md and "| rejected: off_topic | 2 |" in md
    assert "`min_topic_score` 0" in md and f"Report: `{blocked}/index.html`" in md
    assert "| articles | expect_table_row_count_to_be_between |" in md and "| block |" in md
    logs = _logs(run_id)
    assert "pages in 2 = articles 0 + duplicates 0 + rejected 2" in logs, logs
    assert "rejected by reason: off_topic 2" in logs


def test_a_blocked_summary_names_the_release_that_stays_or_says_there_is_none():
    blocked = dict(published=False, pages_in=3, articles=0, duplicates=1, rejected={"off_topic": 2},
                   tables={"articles": (0, 0, 0)}, location="/out/blocked/2026.01.03", version="2026.01.03",
                   failed=[{"table": "articles", "expectation": "expect_table_row_count_to_be_between",
                            "column": None, "unexpected_count": None, "observed": 0, "on_failure": "block"}])
    first = markdown(Outcome(**blocked))
    assert "There is no release yet." in first and "is unchanged" not in first
    assert "The latest release, 2026.01.02, is unchanged." in markdown(Outcome(**blocked, previous="2026.01.02"))
    assert "`min_topic_score` 0" in first and "Report: `/out/blocked/2026.01.03/index.html`" in first
    failed = markdown(Outcome(**{**blocked, "error": "OSError: disk full", "failed": []}))
    assert "**Verdict: FAILED, nothing was published**: OSError: disk full." in failed and "Report:" not in failed
