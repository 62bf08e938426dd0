"""Against earlier releases: copies of released articles keep the released article_id."""
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.run.assemble import build_tables
from pipeline.dedupe import article_id
from pipeline.dedupe.history import build_index, load_index, match, match_page
from pipeline.publish.release import _write_sums

A = ("数字政府建设全面提速，数字技术不断升级，数字应用场景加速扩展。各地推进一网通办，政务云平台统筹布局。\n"
     "数据要素市场化配置改革持续深化，电子证照应用范围不断扩大，群众办事更加便利。\n"
     "省大数据局负责人介绍，今年将新增高频政务服务事项两百项，推动跨省通办扩面提质。\n"
     "下一步，全省将加快建设一体化政务服务平台，完善公共数据开放目录，强化数据安全保障。")
A_REPRINT = "来源：某某网\n" + A.replace("更加便利", "十分便利").replace("两百项", "二百项") + "\n责任编辑：王明"
B = ("联合国副秘书长李军华表示，各国政府应当考虑默认包容性战略，弥合数字鸿沟。\n"
     "他指出，发展中国家的宽带普及率仍然偏低，农村地区的差距更为明显，需要国际合作加以解决。\n"
     "报告建议各国把无障碍设计纳入公共服务标准，并为老年人提供线下替代渠道。") * 2


def cand(pid, body, flags=(), day=1):
    return {"page_id": pid, "path": pid, "url": f"https://example.cn/{pid}", "fetched_at": None,
            "flags": list(flags), "records": {},
            "metadata": {"body": body, "title": pid, "published_at": datetime(2024, 1, day, tzinfo=timezone.utc)}}


def run(cands, prior=None):
    tables, rejected = build_tables(cands, prior=prior)
    return {r["page_id"]: r["article_id"] for r in tables["articles"]}, {r["page_id"]: r for r in rejected}


def release(tmp_path, tables_ids: dict[str, str], bodies: dict[str, str], version="2024.01.01"):
    """A release folder as publish writes it, as far as the index reads it."""
    folder = tmp_path / "releases" / version / "data"
    folder.mkdir(parents=True)
    pids = sorted(tables_ids)
    pq.write_table(pa.table({"article_id": [tables_ids[p] for p in pids], "body": [bodies[p] for p in pids],
                             "page_id": pids}), folder / "articles.parquet")
    _write_sums(folder.parent)
    (tmp_path / "releases" / "LATEST").write_text(version + "\n")
    return tmp_path


def test_match_finds_copies_and_nothing_else():
    index = build_index([("ida", A, "pa"), ("idb", B, "pb")])
    assert match(index, A) == "ida"
    assert match(index, A_REPRINT) == "ida"
    assert match(index, B.replace("偏低", "较低")) == "idb"
    assert match(index, "国家统计局今天公布，十月份社会消费品零售总额同比增长百分之四点八，汽车类零售额增长较快。" * 3) is None
    assert match_page(index, "pb") == "idb" and match_page(index, "pz") is None


def test_load_index_reads_the_latest_release(tmp_path):
    release(tmp_path, {"pb": "old-b"}, {"pb": B}, version="2024.01.01")
    (tmp_path / "releases" / "2024.02.01" / "data").mkdir(parents=True)
    pq.write_table(pa.table({"article_id": ["new-a"], "body": [A], "page_id": ["pa"]}),
                   tmp_path / "releases" / "2024.02.01" / "data" / "articles.parquet")
    _write_sums(tmp_path / "releases" / "2024.02.01")
    (tmp_path / "releases" / "LATEST").write_text("2024.02.01\n")
    index = load_index(tmp_path)
    assert index.version == "2024.02.01" and len(index) == 1
    assert match(index, A_REPRINT) == "new-a" and match(index, B) is None
    assert load_index(tmp_path / "releases" / "2024.01.01").article_ids == ("old-b",)
    assert len(load_index(tmp_path / "nothing")) == 0 and len(load_index(None)) == 0


def test_rerun_over_the_same_pages_keeps_ids_and_releases_them_again(tmp_path):
    pages = [cand("pa", A), cand("pr", A_REPRINT, ["reprint"]), cand("pb", B)]
    ids1, rej1 = run(pages)
    assert set(ids1) == {"pa", "pb"} and rej1["pr"]["duplicate_of"] == ids1["pa"]
    prior = load_index(release(tmp_path, ids1, {"pa": A, "pb": B}))
    ids2, rej2 = run(list(reversed(pages)), prior)
    assert ids2 == ids1
    assert rej2["pr"]["duplicate_of"] == ids1["pa"]


def test_recrawl_or_reprint_of_a_released_article_is_not_released_again(tmp_path):
    ids1, _ = run([cand("pa", A), cand("pb", B)])
    prior = load_index(release(tmp_path, ids1, {"pa": A, "pb": B}))
    ids2, rej2 = run([cand("pa-recrawl", A.replace("两百项", "200项")), cand("pr", A_REPRINT, ["reprint"]),
                      cand("pc", "国家统计局今天公布，十月份社会消费品零售总额同比增长百分之四点八，汽车类零售额增长较快。" * 3)],
                     prior)
    assert list(ids2) == ["pc"]
    for pid in ("pa-recrawl", "pr"):
        assert rej2[pid]["reason"] == "duplicate_of"
        assert rej2[pid]["duplicate_of"] == ids1["pa"]
        assert rej2[pid]["detail"] == "released in 2024.01.01"


def test_original_found_later_replaces_the_reprint_under_the_same_id(tmp_path):
    ids1, _ = run([cand("pr", A_REPRINT, ["reprint"])])
    assert ids1["pr"] == article_id(A_REPRINT)
    prior = load_index(release(tmp_path, ids1, {"pr": A_REPRINT}))
    ids2, rej2 = run([cand("pr", A_REPRINT, ["reprint"]), cand("pa", A)], prior)
    assert ids2 == {"pa": ids1["pr"]}
    assert rej2["pr"]["duplicate_of"] == ids1["pr"]


def test_article_id_is_stable_across_runs_without_a_release():
    recrawl = A.replace("\n", "\n\n").replace("，", ", ")  # same text, other bytes
    ids1, _ = run([cand("pa", A), cand("pr", A_REPRINT, ["reprint"], day=1)])
    ids2, rej2 = run([cand("pr", A_REPRINT, ["reprint"]), cand("pa2", recrawl, day=1), cand("pb", B)])
    assert ids2[next(p for p in ids2 if p != "pb")] == ids1["pa"]
    assert rej2["pr"]["duplicate_of"] == ids1["pa"]


def test_an_inherited_id_is_never_given_twice(tmp_path):
    prior = load_index(release(tmp_path, {"p1": "same", "p2": "same"}, {"p1": A, "p2": B}))  # both pages released as one id
    tables, rejected = build_tables([cand("p1", A), cand("p2", B)], prior=prior)
    assert [r["article_id"] for r in tables["articles"]] == ["same"]
    assert [(r["page_id"], r["duplicate_of"]) for r in rejected] == [("p2", "same")]


def test_seed_pages_against_their_own_published_release(tmp_path):
    """Real pages, a real release: a re-run keeps every id; a re-crawl is a duplicate of its article."""
    from pathlib import Path

    from pipeline.ingest import discover
    from pipeline.publish.release import publish_release
    from pipeline.run.stages import process_files

    samples = Path(__file__).resolve().parents[1] / "pipeline" / "samples"
    kept = process_files(discover([str(samples)])[0]).kept
    tables, rejected = build_tables(kept)
    assert len(tables["articles"]) == 5
    publish_release(tables, rejected, {"pages_in": 5}, tmp_path / "out", validate=False)
    prior = load_index(tmp_path / "out")
    again, _ = build_tables(kept, prior=prior)
    assert [r["article_id"] for r in again["articles"]] == [r["article_id"] for r in tables["articles"]]

    seed = sorted(samples.glob("*.txt"))[0]
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    text = seed.read_text("utf-8").replace("。", "。\n", 1)
    (crawl / "recrawl.txt").write_text("浏览次数：1234\n" + text + "\n分享到：微信 微博", "utf-8")
    new = process_files(discover([str(crawl)])[0]).kept
    assert new and new[0]["page_id"] not in {c["page_id"] for c in kept}
    tables2, rejected2 = build_tables(new, prior=prior)
    seed_page = next(c["page_id"] for c in kept if c["path"].endswith(seed.name))
    seed_id = next(r["article_id"] for r in tables["articles"] if r["page_id"] == seed_page)
    assert tables2["articles"] == []
    assert [r["duplicate_of"] for r in rejected2] == [seed_id]


def test_a_full_rebuild_releases_copies_under_the_released_id(tmp_path):
    ids1, _ = run([cand("pa", A), cand("pb", B)])
    prior = load_index(release(tmp_path, ids1, {"pa": A, "pb": B}))
    recrawl = cand("pa-recrawl", A.replace("两百项", "200项"))
    tables, rejected = build_tables([recrawl, cand("pr", A_REPRINT, ["reprint"])], prior=prior, carry_forward=False)
    assert [(r["page_id"], r["article_id"], r["duplicate_count"]) for r in tables["articles"]] == \
        [("pa-recrawl", ids1["pa"], 1)]
    assert [(r["page_id"], r["duplicate_of"]) for r in rejected] == [("pr", ids1["pa"])]


def test_index_look_up_keys_equal_the_grouping_keys():
    import numpy as np

    from pipeline.dedupe.history import query_keys, tagged_keys
    from pipeline.dedupe.near import DEFAULT, signatures

    sigs = signatures([A, B, A_REPRINT])
    for i in range(3):
        assert np.array_equal(query_keys(sigs[i], DEFAULT),
                              [tagged_keys(sigs[i:i + 1], b, DEFAULT)[0] for b in range(DEFAULT.bands)])
