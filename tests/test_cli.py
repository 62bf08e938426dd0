"""The `dgn` command line: options reach the flow, bad calls give clear errors."""
import os

import pytest

from pipeline import cli
from pipeline.flows import RunSummary


def test_run_passes_options_and_limits(monkeypatch, capsys):
    seen = {}

    def fake_run(inputs, output, **kw):
        seen.update(kw, inputs=inputs, output=output, env=os.environ.get("DGN_MAX_PAGE_BYTES"))
        return RunSummary(pages_in=1, articles=1, duplicates=0, release="out/releases/x")

    monkeypatch.setattr("pipeline.flows.run", fake_run)
    monkeypatch.delenv("DGN_MAX_PAGE_BYTES", raising=False)
    assert cli.main(["run", "pages", "--output", "out", "--full", "--min-topic-score", "0",
                     "--max-page-bytes", "1234", "--no-progress"]) == 0
    assert seen["inputs"] == ["pages"] and seen["output"] == "out" and seen["full"] is True
    assert seen["min_topic_score"] == 0.0 and seen["env"] == "1234"
    assert "pages in 1 = articles 1" in capsys.readouterr().out
    os.environ.pop("DGN_MAX_PAGE_BYTES", None)


def test_unknown_command_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["frobnicate"])
    assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err
