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


def _dgn(*args, **kw):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], capture_output=True, text=True, **kw)


def test_options_are_range_checked_and_help_names_the_defaults(tmp_path):
    """Issue 15: an option out of range is a usage error; `dgn run --help` shows every default."""
    r = _dgn("run", "--min-topic-score", "5", "--output", tmp_path)
    assert r.returncode == 2 and "5.0 is not between 0 and 1" in r.stderr
    r = _dgn("run", "--max-page-bytes", "0", "--output", tmp_path)
    assert r.returncode == 2 and "less than 1" in r.stderr
    help_text = " ".join(_dgn("run", "--help").stdout.split())
    for default in ("(default: 0.05)", "(default: 120)", "(default: output)", "default 8000000", "default 30"):
        assert default in help_text, default


def test_validate_on_a_folder_that_is_no_release(tmp_path):
    r = _dgn("validate", tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == f"dgn validate: {tmp_path} is no release " \
        "(a release folder holds data/articles.parquet/)"


@pytest.mark.slow
def test_a_run_where_nothing_is_on_topic_says_so_in_words(tmp_path, prefect_harness):
    """Issue 15: a blocked run says what happened and what to do, keeps the rejected pages
    beside the report, and shows no traceback."""
    pages = tmp_path / "in"
    pages.mkdir()
    for i in range(3):
        (pages / f"p{i}.txt").write_text(
            f"红烧肉的做法第{i}篇\n发布时间：2024-05-0{i + 1}\n五花肉切块焯水，锅中放糖炒出糖色，下肉翻炒上色，"
            f"加入生抽和料酒，小火慢炖一小时，大火收汁即可出锅，第{i}次做要注意火候。", "utf-8")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_LEVEL"}
    r = _dgn("run", pages, "--output", out, "--no-progress", "--min-chars", "0", env=env)
    text = " ".join(r.stderr.split())
    assert r.returncode == 3 and "Traceback" not in r.stderr and "ERROR" not in r.stderr, r.stderr[-2000:]
    assert "nothing was published" in text and "3 off_topic" in text and "--min-topic-score 0" in text
    assert "holds no release yet" in text
    (blocked,) = (out / "blocked").iterdir()
    assert (blocked / "index.html").is_file() and (blocked / "rejected.parquet").is_file()
    assert f"{blocked}/report.html" in text and (blocked / "report.html").is_file()
    assert (blocked / "rejected.csv").read_text("utf-8-sig").count("off_topic") == 3
