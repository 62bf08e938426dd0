"""What a run's worker process holds: only what its work needs, and no freed heap between tasks."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.run import pool

PAGE = """<html><head><meta charset="utf-8"><title>市政务服务中心推行一网通办</title></head><body>
<h1>市政务服务中心推行一网通办</h1><div class="date">2024-03-05 10:00</div>
<div class="content">
<p>3月5日，市政务服务中心负责人张明介绍，今年全市将推进政务服务一网通办，实现企业开办全程网上办理。</p>
<p>据统计，去年全市网上办件量达到120万件，同比增长35%。市大数据局表示，将继续完善数字政府平台建设。</p>
<p>张明说：“我们要让数据多跑路，让群众少跑腿。”下一步，中心将在各区设立自助服务终端。</p>
</div></body></html>"""

WORKER_RUN = """
if __name__ == "__main__":  # a spawned worker imports this file again: only what the flow's own main imports
    import pickle, sys
    from pipeline.ingest import discover
    from pipeline.run import pool
    from pipeline.run.preflight import result_options
    from pipeline.run.staged_extract import extract_staged_files
    from pipeline.run.stages import process_files

    folder, staged = sys.argv[1], sys.argv[2]
    files, _ = discover([folder])
    limits = result_options(0.0, 0)
    with pool.worker_processes(1):
        kept = pool.call(process_files, files, limits, frozenset(), True).kept
        with open(staged, "wb") as fh:
            pickle.dump(kept, fh)
        failed = pool.call(extract_staged_files, [(staged, [c["page_id"] for c in kept])], limits)
        loaded = pool.call(eval, "sorted(__import__('sys').modules)")
    print(len(kept), len(failed))
    print(" ".join(loaded))
"""


def _run_in_worker(tmp_path: Path) -> tuple[str, set[str]]:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text(PAGE, "utf-8")
    script = tmp_path / "worker_run.py"
    script.write_text(textwrap.dedent(WORKER_RUN), "utf-8")
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "pages"), str(tmp_path / "staged.pkl")],
                         capture_output=True, text=True, timeout=300, check=True).stdout.splitlines()
    return out[0], set(out[1].split())


def test_a_worker_loads_only_what_a_page_needs(tmp_path):
    """A worker that cleaned a shard and extracted its tables has not loaded Arrow, pandas,
    Great Expectations or Prefect: each is tens of MB in every worker, for the whole run."""
    counts, loaded = _run_in_worker(tmp_path)
    assert counts == "1 0"  # the page was kept and its tables extracted in the worker
    assert "pipeline.extract.tagger" in loaded and "onnxruntime" in loaded
    heavy = {m.split(".")[0] for m in loaded} & {"pyarrow", "pandas", "great_expectations", "prefect"}
    assert heavy == set()


def test_the_dedupe_package_names_load_on_demand():
    """``pipeline.dedupe``'s names still import from the package, each from its module."""
    from pipeline import dedupe
    from pipeline.dedupe import article_id, load_index
    from pipeline.dedupe.history import load_index as direct

    assert load_index is direct and article_id("x") == dedupe.article_id("x")
    with pytest.raises(AttributeError):
        dedupe.no_such_name  # noqa: B018


def test_a_worker_task_gives_the_heap_back(monkeypatch):
    """Each task in a worker ends by handing the free heap back, also when it fails."""
    calls = []
    monkeypatch.setattr(pool, "give_back", lambda: calls.append(1))
    assert pool._task(sum, [1, 2]) == 3
    with pytest.raises(ZeroDivisionError):
        pool._task(divmod, 1, 0)
    assert len(calls) == 2


GIVE_BACK = """
from pipeline.run.pool import give_back
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) // 1024
blocks = [bytes(2000) for _ in range(100_000)]  # 200 MB in malloc's heap (beyond pymalloc's sizes)
kept = blocks[::200]  # a few stay alive across the heap: it cannot just shrink from the top
del blocks
before = rss()
give_back()
print(before, rss())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists() or sys.platform != "linux", reason="glibc, Linux")
def test_give_back_returns_freed_heap_pages():
    """Freed blocks between live ones stay resident until ``give_back``; then they are not."""
    out = subprocess.run([sys.executable, "-c", GIVE_BACK], capture_output=True, text=True, timeout=120,
                         check=True).stdout.split()
    before, after = map(int, out)
    assert before - after > 100


def test_the_tagger_model_keeps_no_vocabulary_dict():
    """The tagger's model holds its look-up table, not the 58,000-word dicts it was built from
    (10 MB in every process that tags); they can still be read."""
    from pipeline.extract.tagger import _model

    model = _model()
    assert not any(isinstance(v, dict) for v in vars(model).values())
    assert len(model.vocab) > 50_000 and model.vocab.get("OOV", 0) == model.oov


SHRINK = """
import ctypes, random
from pipeline.extract import tagger
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) // 1024
rng = random.Random(0)
chars = [chr(c) for c in range(0x4e00, 0x4e00 + 3000)]
tagger.tag_texts(["".join(rng.choices(chars, k=rng.randint(20, 120))) for _ in range(600)])
ctypes.CDLL("libc.so.6").malloc_trim(0)
before = rss()
tagger.shrink_arena()
ctypes.CDLL("libc.so.6").malloc_trim(0)
print(before, rss())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists() or sys.platform != "linux", reason="glibc, Linux")
def test_the_encoder_arena_is_handed_back():
    """After tagging, the encoder's arena keeps its buffers (beyond what glibc can trim) until
    ``shrink_arena``."""
    out = subprocess.run([sys.executable, "-c", SHRINK], capture_output=True, text=True, timeout=300,
                         check=True).stdout.split()
    before, after = map(int, out)
    assert before - after > 8


def test_shrinking_the_arena_changes_no_tags():
    """Tags before and after a shrink are the same (the shrink is a run of its own)."""
    from pipeline.extract import tagger

    texts = ["国务院办公厅印发关于加快推进政务服务一网通办的意见。", "市大数据局局长张明出席会议并讲话"]
    tagger.shrink_arena()
    first = tagger._encode(tagger._model(), texts)
    tagger.shrink_arena()
    again = tagger._encode(tagger._model(), texts)
    assert [a.tolist() for a in first] == [b.tolist() for b in again]
