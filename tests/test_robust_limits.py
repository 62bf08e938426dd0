"""Per-page limits: configurable, and what they promise (time and memory a page) holds on the
hostile corpus; unreadable files are rejected, not lost."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.ingest.readers as readers
from hostile_corpus import build
from pipeline.ingest import discover
from pipeline.limits import PageLimits, page_limits
from pipeline.run.stages import process_files

TESTS = Path(__file__).resolve().parent
MEASURE = """
import json, re, sys, time
from pipeline.ingest import discover
from pipeline.run.stages import process_files
files, skipped = discover([sys.argv[1]])
t = time.perf_counter()
r = process_files(files, {"min_topic_score": 0.05, "min_chars": 120})
print(json.dumps({"pages": r.pages_in + len(skipped), "slowest": r.slowest[0], "slowest_path": r.slowest[1],
                  "seconds": time.perf_counter() - t,
                  "max_rss_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1]) / 1024}))
"""


def measure(folder: Path, env: dict | None = None) -> dict:
    """Process a folder's pages in a fresh interpreter: its peak memory (VmHWM; ru_maxrss would
    carry over the forking parent's) is the pages' own."""
    out = subprocess.run([sys.executable, "-c", MEASURE, str(folder)], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}, cwd=TESTS.parent, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_limits_come_from_env_then_overrides(monkeypatch):
    assert page_limits() == PageLimits()
    monkeypatch.setenv("DGN_MAX_PAGE_BYTES", "1000")
    assert page_limits().max_page_bytes == 1000
    assert page_limits({"max_page_bytes": 50, "min_chars": 3}).max_page_bytes == 50


def test_page_over_the_limit_is_rejected_unread(tmp_path, monkeypatch):
    (tmp_path / "a.html").write_text("<p>" + "数字政府" * 400 + "</p>")
    monkeypatch.setattr(readers, "open", lambda *a, **k: pytest.fail("an oversized page was opened"), raising=False)
    r = process_files(discover([tmp_path])[0], {"max_page_bytes": 1000})
    assert [x["reason"] for x in r.rejected] == ["too_large"]


def test_unreadable_file_is_rejected_with_the_reason(tmp_path, monkeypatch):
    """Root can read chmod 000 files, so the denial is simulated at ``open``."""
    (tmp_path / "ok.html").write_text("<p>可读</p>")
    (tmp_path / "denied.html").write_text("<p>不可读</p>")
    real_open = open

    def deny(path, *args, **kwargs):
        if str(path).endswith("denied.html"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(readers, "open", deny, raising=False)
    r = process_files(discover([tmp_path])[0])
    rows = {Path(x["path"]).name: (x["reason"], x["detail"]) for x in r.rejected}
    assert rows["denied.html"] == ("unreadable", "Permission denied")
    assert r.pages_in == 2


def test_time_and_memory_per_page_are_bounded(tmp_path):
    corpus = build(tmp_path, http_base="http://127.0.0.1:9/")
    m = measure(corpus.input, {"DGN_MAX_PAGE_BYTES": "1250000", "DGN_MAX_ARCHIVE_BYTES": "10000000"})
    assert m["pages"] >= sum(len(c.files) for c in corpus.cases)
    assert m["slowest"] < 5, m
    assert m["max_rss_mb"] < 200, m


@pytest.mark.slow
def test_50mb_page_with_default_limits(tmp_path):
    """The default limits on the corpus with its 50 MB page, the gzip bomb read to its end."""
    corpus = build(tmp_path, big=True, http_base="http://127.0.0.1:9/")
    assert (corpus.input / "size" / "big.html").stat().st_size >= 50_000_000
    m = measure(corpus.input)
    assert m["slowest"] < 10, m
    assert m["max_rss_mb"] < 300, m


# Issue 14, item 2: a page's structure and its time are bounded, whatever its size.
def _one(tmp_path, name: str, content: str, limits: dict | None = None):
    (tmp_path / name).write_text(content, "utf-8")
    files, _ = discover([str(tmp_path / name)])
    r = process_files(files, {"min_topic_score": 0, **(limits or {})})
    assert r.pages_in == 1
    return r


GOOD_HTML = ("<html><body><h1>市政务服务中心推进一网通办</h1><p>发布时间：2024-05-06</p>"
             + "".join(f"<p>第{n}项措施：一网通办让群众办事更方便，政务服务持续优化，数字政府建设提速。</p>"
                       for n in "一二三四五六七八")
             + "</body></html>")


@pytest.mark.parametrize("attrs", [1_001, 1_000_000])
def test_an_element_with_too_many_attributes_is_rejected_before_parsing(tmp_path, attrs):
    import time

    page = "<html><body><div " + " ".join(f"a{i}" for i in range(attrs)) + ">" + GOOD_HTML[12:]
    t = time.perf_counter()
    r = _one(tmp_path, "attrs.html", page)
    assert time.perf_counter() - t < 5
    assert [(x["reason"], x["stage"]) for x in r.rejected] == [("too_complex", "clean")]
    assert f"{attrs} attributes" in r.rejected[0]["detail"]


def test_too_many_elements_is_rejected(tmp_path):
    r = _one(tmp_path, "elements.html", GOOD_HTML.replace("</body>", "<i>x</i>" * 300), {"max_elements": 100})
    assert r.rejected[0]["reason"] == "too_complex"
    ok = _one(tmp_path, "ok.html", GOOD_HTML)
    assert ok.kept and not ok.rejected


def test_a_page_over_its_time_budget_is_rejected_too_slow(tmp_path, monkeypatch):
    import time

    import pipeline.run.stages as stages

    real = stages.extract_records
    monkeypatch.setattr(stages, "extract_records", lambda doc: (time.sleep(1.2), real(doc))[1])
    r = _one(tmp_path, "slow.html", GOOD_HTML, {"max_page_seconds": 1})
    assert [(x["reason"], x["stage"]) for x in r.rejected] == [("too_slow", "extract")]
    fast = _one(tmp_path, "fast.html", GOOD_HTML, {"max_page_seconds": 30})
    assert fast.kept and not fast.rejected


def test_the_time_budget_is_per_thread():
    import threading
    import time

    from pipeline.limits import PageRejected, check_deadline, page_deadline

    seen = {}

    def work(name, budget, sleep):
        with page_deadline(budget):
            time.sleep(sleep)
            try:
                check_deadline(name)
                seen[name] = "ok"
            except PageRejected as e:
                seen[name] = e.reason

    threads = [threading.Thread(target=work, args=("short", 0, 0.2)), threading.Thread(target=work, args=("long", 5, 0.2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"short": "too_slow", "long": "ok"}
    check_deadline("outside any page")  # no budget: no-op


def test_the_cleaner_checks_the_budget_between_its_phases():
    from pipeline.clean import clean_page
    from pipeline.limits import PageRejected, page_deadline

    with page_deadline(-1):
        with pytest.raises(PageRejected, match="clean: parse"):
            clean_page(GOOD_HTML, "html")
    assert clean_page(GOOD_HTML, "html").paragraphs  # outside a budget: no limit
