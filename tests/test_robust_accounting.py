"""The flow checks pages in = articles + duplicates + rejected itself: a page lost between
stages fails the run and publishes nothing."""
import pytest

import pipeline.flows as flows
from pipeline.flows import run, sample_dir


def test_a_lost_page_fails_the_run(tmp_path, prefect_harness, monkeypatch):
    inp = tmp_path / "in"
    inp.mkdir()
    for p in sorted(sample_dir().glob("*.txt"))[:2]:
        (inp / p.name).write_bytes(p.read_bytes())
    real = flows.process_files

    def losing(*args):
        result = real(*args)
        result.kept.pop()  # a page that silently disappears
        return result

    monkeypatch.setattr(flows, "process_files", losing)
    with pytest.raises(RuntimeError, match="page accounting broken"):
        run([str(inp)], tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "releases" / "LATEST").exists()
