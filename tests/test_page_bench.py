"""Regression floors on the shared bench's own scorers, run on `dgn extract` as a user runs it:
whole government-portal pages (page_bench.py: body, headline, date, source) and the record
tables (records_bench.py). Floors sit just under the figures measured when they were set
(issue 12 and 13 notes); a change that costs quality on the dev sets fails here."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
DGN = str(Path(sys.executable).parent / "dgn")

pytestmark = pytest.mark.skipif(not (BENCH / "page_bench.py").exists(), reason="shared bench absent")

PAGE_FLOORS = {"body_f1": 0.98, "title_exact": 0.97, "date_acc": 0.97, "source_exact": 0.94}
PAGE_MAX_BELOW_HALF = 0
RECORD_FLOORS = {"people": 0.88, "people_title": 0.87, "statistics": 0.88, "documents": 0.95,
                 "quote_speakers": 0.77}


def _last_json(out: str, prefix: str = "") -> dict:
    line = [x for x in out.splitlines() if x.startswith(prefix) and x.rstrip().endswith("}")][-1]
    return json.loads(line[line.index("{"):])


def test_govportal_pages_stay_above_their_floors():
    r = subprocess.run([sys.executable, str(BENCH / "page_bench.py"), str(BENCH / "govportal_dev"),
                        f"cmd:{DGN} extract --jsonl"], capture_output=True, text=True, timeout=600)
    res = _last_json(r.stdout, "cmd:")
    assert res["pages"] == 46
    low = {k: (res[k], floor) for k, floor in PAGE_FLOORS.items() if res[k] < floor}
    assert not low, low
    assert res["body_below_0.5"] <= PAGE_MAX_BELOW_HALF, res


@pytest.mark.slow
def test_record_tables_stay_above_their_floors():
    r = subprocess.run([sys.executable, str(BENCH / "records_bench.py"), DGN, str(BENCH / "records_dev")],
                       capture_output=True, text=True, timeout=900)
    res = _last_json(r.stdout)
    low = {k: (res[k]["f1"], floor) for k, floor in RECORD_FLOORS.items() if res[k]["f1"] < floor}
    assert not low, low
    assert res["pages_without_article"] <= 1, res
