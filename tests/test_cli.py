"""The `dgn` command line: options reach the flow, bad calls give clear errors."""
import os

import pytest

from pipeline import cli
from pipeline.flows import RunSummary


def test_run_passes_options_and_limits(monkeypatch, capsys, tmp_path):
    seen = {}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pages").mkdir()

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


def test_an_output_the_run_cannot_write_is_a_message_not_a_traceback(tmp_path):
    """Issue 14, item 10: an output folder the run cannot write to ends in one line."""
    import subprocess
    import sys

    out = tmp_path / "out"
    out.write_text("a file where the output folder should be")
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--no-progress", "--output", str(out / "sub")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == f"dgn run: output {out / 'sub'} cannot be a folder: {out} is a file"
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "typo"), "--output", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == f"dgn run: input {tmp_path / 'typo'} does not exist"
