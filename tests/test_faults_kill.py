"""Issue 8, faults: `dgn run` killed (SIGKILL) inside clean, validate and publish, and two runs
started at once on one output folder.

Each run that is killed or that must take turns is a `dgn run` subprocess against the session's
Prefect test server. ``pipeline.faults`` stretches the chosen stage and drops a marker when the
run gets there; the test kills the run's process group at that moment. After a kill: no
release but complete ones, ``LATEST`` unchanged, and the next run gives the data files of a
run never interrupted. The runs nobody kills (the base, the reference and each run after a
kill) call the flow in this process: the function `dgn run` calls, without a new
interpreter's start-up (about 5 s of CPU each).
"""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.flows import run, sample_dir

pytestmark = pytest.mark.slow
DGN = [sys.executable, "-m", "pipeline.cli", "run", "--no-progress"]
KILL_POINTS = ["clean", "validate", "publish", "latest"]


@pytest.fixture(scope="module")
def env(prefect_harness):
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """Two folders of seed pages: the first run reads ``a``, the run under test ``a`` and ``b``."""
    root = tmp_path_factory.mktemp("fault-in")
    seeds = sorted(sample_dir().glob("*.txt"))
    for name, part in (("a", seeds[:3]), ("b", seeds[3:])):
        (root / name).mkdir()
        for p in part:
            shutil.copy(p, root / name / p.name)
    return root / "a", root / "b"


def dgn(args: list, env: dict, home: Path, **extra) -> subprocess.Popen:
    """`dgn run` in its own process group with its own Prefect home (result cache)."""
    e = {**env, "PREFECT_HOME": str(home), **{k: str(v) for k, v in extra.items()}}
    return subprocess.Popen([*DGN, *map(str, args)], env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, cwd=Path(__file__).resolve().parents[1])


def finish(p: subprocess.Popen, timeout: float = 300) -> str:
    out, err = p.communicate(timeout=timeout)
    assert p.returncode == 0, err[-3000:]
    return out + err


def data_hashes(release: Path) -> dict[str, str]:
    files = [p for p in [*(release / "data").rglob("*.parquet"), *(release / "csv").rglob("*.csv")] if p.is_file()]
    assert files
    return {f.relative_to(release).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def latest(out: Path) -> str:
    return (out / "releases" / "LATEST").read_text().strip()


def complete(release: Path) -> bool:
    """Every file its SHA256SUMS names is there with that hash, and nothing else is."""
    sums = release / "SHA256SUMS"
    if not sums.is_file():
        return False
    listed = {}
    for line in sums.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    return set(listed) == present and all(
        hashlib.sha256((release / n).read_bytes()).hexdigest() == d for n, d in listed.items())


@pytest.fixture(scope="module")
def started(tmp_path_factory, env, inputs):
    """``base``: the output folder after a run on ``a``. Then, all at once, each on a copy of
    ``base`` and with its own Prefect home: one run on ``a`` and ``b`` per kill point,
    stretched at that point (long enough for its test to come and kill it). Yields ``base``,
    the folder of the reference run (a copy of ``base``), and per point (run, output, marks,
    home). The two runs of ``test_two_runs_at_once_take_turns`` start first, beside the base
    run."""
    a, b = inputs
    together = tmp_path_factory.mktemp("together")
    slow = {"DGN_FAULT_DELAY_CLEAN": 1}  # each run holds the folder for a few seconds
    two = [dgn([a, "--output", together / "out"], env, together / "h1", **slow),
           dgn([b, "--output", together / "out"], env, together / "h2", **slow)]
    root = tmp_path_factory.mktemp("fault-base")
    base = root / "base"
    assert run([a], base).published
    ref = root / "ref"
    shutil.copytree(base, ref, symlinks=True)
    killed = {}
    for point in KILL_POINTS:
        folder = tmp_path_factory.mktemp(f"kill-{point}")
        out = folder / "out"
        shutil.copytree(base, out, symlinks=True)
        marks = folder / "marks"
        killed[point] = (dgn([a, b, "--output", out], env, folder / "home", DGN_FAULT_MARKS=marks,
                             **{f"DGN_FAULT_DELAY_{point.upper()}": 3600}), out, marks, folder / "home")
    try:
        yield base, ref, killed, (two, together / "out")
    finally:
        for p in [*two, *(k[0] for k in killed.values())]:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.communicate(timeout=60)


@pytest.fixture(scope="module")
def base_and_reference(started, inputs):
    """``base`` and the data file hashes of the reference run (``base`` then ``a`` and ``b``),
    made while the runs to kill wait at their points."""
    base, ref, *_ = started
    a, b = inputs
    assert run([a, b], ref).published
    assert latest(ref) != latest(base)
    return base, data_hashes(ref / "releases" / latest(ref))


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_then_rerun(point, inputs, base_and_reference, started):
    a, b = inputs
    base, want = base_and_reference
    p, out, marks, _ = started[2][point]  # a run on a copy of base, stretched at ``point``
    before = latest(base)
    deadline = time.monotonic() + 180
    while not (marks / point).exists():
        assert p.poll() is None, p.communicate()[1][-3000:]
        assert time.monotonic() < deadline, f"the run never reached {point}"
        time.sleep(0.1)
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL

    assert latest(out) == before
    shown = [d for d in (out / "releases").iterdir() if d.is_dir() and not d.name.startswith(".")]
    assert all(complete(d) for d in shown), [d.name for d in shown]
    assert len(shown) == (2 if point == "latest" else 1)  # killed after the rename: complete, not LATEST

    assert run([a, b], out).published
    assert latest(out) != before
    assert data_hashes(out / "releases" / latest(out)) == want
    assert not list((out / "releases").glob(".tmp-*"))


def test_two_runs_at_once_take_turns(started):
    """Both started together on one folder with different inputs: one waits for the other, and
    the last release holds the pages of both (neither built on a release the other replaced)."""
    runs, out = started[3]  # on ``a`` and on ``b``, started together
    logs = [finish(p) for p in runs]
    assert sum("in use by another dgn run" in log for log in logs) == 1, logs
    releases = [d for d in (out / "releases").iterdir() if d.is_dir() and not d.name.startswith(".")]
    assert len(releases) == 2 and all(complete(d) for d in releases)
    import pyarrow.parquet as pq

    last = out / "releases" / latest(out)
    assert pq.read_table(last / "data" / "articles.parquet").num_rows == 5
