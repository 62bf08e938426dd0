"""`dgn extract` on many files: worker processes, the input order, the same bytes as one process."""
from __future__ import annotations

import json
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from pipeline import cli
from pipeline.clean import parallel

PAGE = """<html><head><title>{title}_市政府门户网站</title></head><body>
<div class="nav">首页 | 政务公开 | 办事服务 | 互动交流</div>
<div class="article"><h1>{title}</h1><div class="info">发布时间：2024-0{month}-1{day} 来源：市数据局</div>
<p>{n}日，市数据局召开数字政府建设推进会，部署第{n}批政务服务事项“一网通办”工作。</p>
<p>会议指出，要加快政务数据共享，推动{n}个高频事项实现“免申即享”，让企业和群众少跑腿。</p>
<p>下一步，全市将完善一体化政务服务平台，年底前接入{n}0个部门的业务系统。</p></div>
<div class="footer">版权所有 市人民政府办公厅 备案号</div></body></html>"""


def _pages(folder, n):
    paths = []
    for i in range(n):
        p = folder / f"page{i:03d}.html"
        p.write_text(PAGE.format(title=f"第{i}次数字政府推进会召开", month=1 + i % 9, day=i % 10, n=i + 1),
                     encoding="gb18030" if i % 3 == 0 else "utf-8")
        paths.append(str(p))
    return paths


def _extract(capsys, paths, *opts):
    assert cli.main(["extract", *paths, "--no-progress", *opts]) == 0
    return capsys.readouterr().out


def test_workers_print_the_same_bytes_in_the_input_order(tmp_path, capsys, monkeypatch):
    started = []

    class Counted(parallel.ProcessPoolExecutor):
        def __init__(self, *a, **kw):
            started.append(kw["max_workers"])
            super().__init__(*a, **kw)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counted)
    paths = _pages(tmp_path, parallel.SMALL + 6)
    paths = paths[::-1]  # an order that is not the folder's
    paths.insert(5, str(tmp_path / "missing.html"))
    (tmp_path / "folder.html").mkdir()
    paths.insert(17, str(tmp_path / "folder.html"))
    one = _extract(capsys, paths, "--processes", "0")
    two = _extract(capsys, paths, "--processes", "2")
    assert started == [1] and two == one  # the caller is the second process
    rows = [json.loads(x) for x in two.splitlines()]
    assert [r["path"] for r in rows] == paths
    assert rows[5]["error"].startswith("FileNotFoundError") and rows[17]["error"].startswith("IsADirectoryError")
    assert all("error" not in r and r["text"] for i, r in enumerate(rows) if i not in (5, 17))


def test_a_few_files_are_cleaned_in_this_process(tmp_path, capsys, monkeypatch):
    def no_pool(*a, **kw):
        raise AssertionError("a pool was started for a few files")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    paths = _pages(tmp_path, 3)
    rows = [json.loads(x) for x in _extract(capsys, paths, "--processes", "2").splitlines()]
    assert [r["path"] for r in rows] == paths


def test_processes_from_the_option_else_the_environment(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(parallel, "extract_lines", lambda paths, n, progress=None: seen.append(n) or iter(()))
    monkeypatch.setenv("DGN_PROCESSES", "0")
    cli.main(["extract", "a.html", "--no-progress"])
    cli.main(["extract", "a.html", "--no-progress", "--processes", "3"])
    monkeypatch.delenv("DGN_PROCESSES")
    cli.main(["extract", "a.html", "--no-progress"])
    import os

    assert seen == [0, 3, os.cpu_count() or 1]
    with pytest.raises(SystemExit):
        cli.main(["extract", "a.html", "--processes", "-1"])


def test_chunks_cover_every_file_once_in_order_and_shrink_at_the_end():
    paths = [f"p{i}" for i in range(1000)]
    parts = parallel.chunks(paths, 2)
    assert [p for c in parts for p in c] == paths
    sizes = [len(c) for c in parts]
    assert max(sizes) == parallel.MAX_CHUNK and sizes == sorted(sizes, reverse=True) and sizes[-1] == 1


class _Lazy:
    """A pool whose tasks run only when their result is asked for: the caller has to clean
    the chunks it is not waiting for itself."""

    def __init__(self, *a, **kw):
        self.given = []

    def submit(self, fn, *args):
        self.given.append(args[0])
        pool_future = Future()
        pool_future.result = lambda timeout=None: fn(*args)
        return pool_future

    def shutdown(self, **kw):
        pass


def test_no_more_processes_than_the_files_are_worth(tmp_path, monkeypatch):
    sizes = []
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", lambda *a, **kw: sizes.append(kw["max_workers"]) or _Lazy())
    paths = _pages(tmp_path, parallel.SMALL + 10)
    list(parallel.extract_lines(paths, 16))
    assert sizes == [len(paths) // parallel.FILES_A_PROCESS - 1]


def test_the_caller_cleans_what_the_workers_are_not_given(tmp_path, monkeypatch):
    pools = []
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", lambda *a, **kw: pools.append(_Lazy()) or pools[-1])
    paths = _pages(tmp_path, parallel.SMALL + 10)
    lines = list(parallel.extract_lines(paths, 2))
    assert lines == [parallel.line_for(p) for p in paths]
    given = [p for part in pools[0].given for p in part]
    assert 0 < len(given) < len(paths)


class _DiesAfterOne:
    """A pool whose worker dies after the first task: the next results say so, or (``at_submit``)
    the pool refuses new tasks."""

    at_submit = False

    def __init__(self, *a, **kw):
        self.calls = 0

    def submit(self, fn, *args):
        self.calls += 1
        if self.calls > 1 and self.at_submit:
            raise BrokenProcessPool("a worker died")
        f = Future()
        if self.calls == 1:
            f.set_result(fn(*args))
        else:
            f.set_exception(BrokenProcessPool("a worker died"))
        return f

    def shutdown(self, **kw):
        pass


class _RefusesAfterOne(_DiesAfterOne):
    at_submit = True


@pytest.mark.parametrize("pool", [_DiesAfterOne, _RefusesAfterOne])
def test_a_dead_worker_leaves_the_rest_to_this_process(tmp_path, monkeypatch, pool):
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", pool)
    paths = _pages(tmp_path, parallel.SMALL * 2)
    done = []
    lines = list(parallel.extract_lines(paths, 2, progress=done.append))
    assert [json.loads(x)["path"] for x in lines] == paths
    assert lines == [parallel.line_for(p) for p in paths] and sum(done) == len(paths)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`dgn extract … | head`: the closed pipe ends the command quietly."""
    import subprocess
    import sys

    page = _pages(tmp_path, 1)[0]
    p = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "extract", "--processes", "0", *[page] * 400],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(100)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 1 and "Traceback" not in err
