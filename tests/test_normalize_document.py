import json
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.normalize import normalize_document, split_person_line
from pipeline.record import Article, Document

LABELS = Path(__file__).parent / "labels"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def seed_docs():
    arts = json.loads((LABELS / "seed_articles.json").read_text("utf-8"))
    out = {}
    for key, a in arts.items():
        raw = (SEEDS / f"{key}.txt").read_text("utf-8") if (SEEDS / f"{key}.txt").exists() else ""
        out[key[:3]] = normalize_document(Document(id=key, path=key, content=raw, article=Article(**a)))
    return out


@pytest.fixture(scope="module")
def docs():
    return seed_docs()


def test_metadata_keys_and_types(docs):
    for d in docs.values():
        md = d.metadata
        for k in ("title", "paragraphs", "body", "published_at", "published_at_source", "source", "source_raw",
                  "source_type", "site", "authors", "editors", "redactions", "script"):
            assert k in md, k
        assert md["body"] == "\n".join(md["paragraphs"])
        assert md["published_at"] is None or (isinstance(md["published_at"], datetime) and md["published_at"].tzinfo)
        assert set(md["redactions"]) >= {"phone", "email", "id_number", "qq"}
        assert md["script"] == "simplified"


def test_seed_sources(docs):
    got = {k: (d.metadata["source"], d.metadata["source_type"], sorted(d.flags)) for k, d in docs.items()}
    assert got["001"] == ("南方都市报", "local_media", [])
    assert got["002"] == ("新黄河", "local_media", ["reprint", "spam_source"])
    assert got["003"] == ("学习时报", "central_media", ["reprint"])
    assert docs["003"].metadata["site"] is None  # no url: a site is a host name, never a Chinese name
    assert got["004"] == ("人民邮电报", "central_media", [])
    assert docs["002"].metadata["source_raw"] == "米乐m6体育官网"


def test_contact_block_dropped_and_counted(docs):
    md = docs["000"].metadata
    assert "联系人" not in md["body"] and "17610059551" not in md["body"] and "@" not in md["body"]
    assert md["redactions"]["phone"] == 2 and md["redactions"]["email"] == 2


def test_published_at_and_authors(docs):
    assert docs["002"].metadata["published_at"].isoformat() == "2024-02-20T18:52:52+08:00"
    assert docs["003"].metadata["authors"] == ["陈宏曲"]
    assert split_person_line("作者:陈宏曲 国务院办公厅电子政务办公室主任") == ("陈宏曲", "国务院办公厅电子政务办公室主任")


def test_traditional_page_flagged_with_simplified_form():
    art = Article(title="數位政府論壇在臺北舉行", paragraphs=["與會專家認為資料治理與電子化政府服務是關鍵。"])
    d = normalize_document(Document(id="t", path="t", article=art))
    assert d.metadata["script"] == "traditional" and "traditional_script" in d.flags
    assert d.metadata["paragraphs_simplified"][0].startswith("与会专家认为")
    assert d.metadata["paragraphs"][0].startswith("與會")
