"""`dgn eval`: the shared bench's metric on the user's own labelled pages."""
import importlib.util
import json
import random

import pytest

from pipeline.cli import main
from pipeline.evaluate import f1
from tests.conftest import BENCH, SEEDS


def test_f1_counts_missing_and_extra_text():
    assert f1("数字政府建设", "数字政府建设")[2] == 1.0
    p, r, _ = f1("数字政府", "数字政府建设")
    assert p == 1.0 and r == pytest.approx(3 / 5)
    assert f1("", "数字")[2] == 0.0


@pytest.mark.skipif(not (BENCH / "zh_bench.py").exists(), reason="shared bench absent")
def test_same_metric_as_the_shared_bench():
    spec = importlib.util.spec_from_file_location("zh_bench", BENCH / "zh_bench.py")
    zh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zh)
    rng = random.Random(7)
    alphabet = "数字政府建设一网通办。， \n"
    for _ in range(200):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert f1(a, b) == pytest.approx(zh.f1(a, b))


def test_eval_on_a_plain_labelled_folder(tmp_path, capsys):
    (tmp_path / "html").mkdir()
    (tmp_path / "reference").mkdir()
    seed = sorted(SEEDS.glob("003_*.txt"))[0]
    (tmp_path / "html" / "a.txt").write_bytes(seed.read_bytes())
    body = [ln for ln in seed.read_text("utf-8").splitlines()[2:] if ln.startswith(("党的二十大", "一是统筹"))]
    (tmp_path / "reference" / "a.txt").write_text("\n".join(body), "utf-8")
    assert main(["eval", str(tmp_path)]) == 0
    row = json.loads(capsys.readouterr().out.split(" ", 1)[1])
    assert row["pages"] == 1 and row["fails"] == 0 and 0.2 < row["all_r"] <= 1.0 and row["all_p"] < 0.6


def test_eval_without_labelled_pages_is_a_clear_error(tmp_path, capsys):
    assert main(["eval", str(tmp_path)]) == 2
    assert "no labelled pages" in capsys.readouterr().err
