"""The flow's memory must not grow by a Python object a page: dedupe's entries are kept in
columns, and what the shard phase kept is gone (or on disk) while the publish runs."""
import datetime as dt
import gc

import numpy as np

from pipeline import flows
from pipeline.dedupe.lights import Lights
from pipeline.flows import Processed, run, sample_dir
from tests.dedupe_reference import group_duplicates

CST = dt.timezone(dt.timedelta(hours=8))


def _entry(i: int, page_id: str | None = None, sig: int | None = None) -> dict:
    return {"page_id": page_id or f"page-{i:04d}", "path": f"/pages/{i}.html", "url": f"https://example.org/{i}",
            "flags": ["reprint"] if i % 3 == 0 else [], "content_id": f"content-{i}",
            "sig": np.full(128, i if sig is None else sig, np.uint32), "chars": 500 + i,
            "metadata": {"published_at": dt.datetime(2024, 5, 1 + i % 7, 9, tzinfo=CST) if i % 2 else None}}


def test_columns_give_back_the_entries_in_order():
    entries = [_entry(i) for i in range(9)]
    lights = Lights()
    lights.add(entries[:4])
    lights.add(entries[4:])
    back = list(lights.entries())
    assert [e["page_id"] for e in back] == [e["page_id"] for e in entries]
    for a, b in zip(entries, back):
        assert (a["path"], a["url"], a["flags"], a["content_id"], a["chars"]) == \
               (b["path"], b["url"], b["flags"], b["content_id"], b["chars"])
        assert np.array_equal(a["sig"], b["sig"])
        pa_, pb = a["metadata"]["published_at"], b["metadata"]["published_at"]
        assert (pa_ is None and pb is None) or pa_.timestamp() == pb.timestamp()


def test_columns_group_as_the_dicts_do():
    entries = [_entry(i, sig=i // 3) for i in range(12)]  # groups of three identical signatures
    lights = Lights()
    lights.add(entries)
    keep_a, dups_a = group_duplicates(entries)
    keep_b, dups_b = group_duplicates(lights.entries())
    assert [c["page_id"] for c in keep_a] == [c["page_id"] for c in keep_b]
    assert [(d["page_id"], c["page_id"]) for d, c in dups_a] == [(d["page_id"], c["page_id"]) for d, c in dups_b]


def test_a_page_costs_less_than_a_kilobyte_and_nothing_once_spilled(tmp_path):
    lights = Lights()
    for start in range(0, 2000, 200):
        lights.add([_entry(i) for i in range(start, start + 200)])
    assert lights.nbytes() < 1000 * 2000
    lights.spill(tmp_path / "lights.parquet")
    assert lights.nbytes() == 0 and len(lights) == 2000


def test_the_last_file_of_a_page_names_it_spilled_or_not(tmp_path):
    lights = Lights()
    lights.add([_entry(1), _entry(2, page_id="page-0001")])  # same bytes twice: one page, two files
    assert lights.paths().get("page-0001") == "/pages/2.html"
    assert lights.signed().get("page-0001")[0] == "content-2"
    lights.spill(tmp_path / "lights.parquet")
    assert lights.paths().get("page-0001") == "/pages/2.html"
    assert lights.paths().get("absent") is None and lights.paths().get(None) is None
    assert lights.signed().get("page-0001")[0] == "content-2"


def test_a_spilled_store_signs_as_the_store_in_memory_across_row_groups(tmp_path, monkeypatch):
    from pipeline.dedupe import lights as lights_module

    monkeypatch.setattr(lights_module, "SPILL_ROWS", 7)  # 40 entries: six row groups, read batch by batch
    entries = [_entry(i, sig=1000 + i) for i in range(39)] + [_entry(39, page_id="page-0003", sig=5)]
    held, spilled = Lights(), Lights()
    for store in (held, spilled):
        store.add(entries[:25])
        store.add(entries[25:])
    spilled.spill(tmp_path / "lights.parquet")
    for i in range(40):
        a, b = held.signed().get(f"page-{i:04d}"), spilled.signed().get(f"page-{i:04d}")
        assert (a is None) == (b is None) and (a is None or (a[0] == b[0] and np.array_equal(a[1], b[1])))
    assert spilled.signed().get("page-0003")[0] == "content-39"  # the last file of a page
    assert np.array_equal(spilled.signed()["page-0003"][1], np.full(128, 5, np.uint32))
    assert spilled.signed().get("page-0039") is None


def test_the_shard_state_is_gone_while_the_publish_runs(prefect_harness, tmp_path, monkeypatch):
    seen = {}
    real = flows.validate_and_publish

    def watching(tables, rejected, run_info, output_dir, carried=None, page_paths=None, carry=None):
        gc.collect()
        seen["processed"] = sum(isinstance(o, Processed) for o in gc.get_objects())
        seen["light_dicts"] = sum(isinstance(o, dict) and "sig" in o and "content_id" in o for o in gc.get_objects())
        seen["in_memory"] = page_paths._lights.nbytes()
        return real(tables, rejected, run_info, output_dir, carried, page_paths, carry)

    monkeypatch.setattr(flows, "validate_and_publish", watching)
    summary = run([sample_dir()], tmp_path / "out")
    assert summary.articles > 0
    assert seen == {"processed": 0, "light_dicts": 0, "in_memory": 0}
