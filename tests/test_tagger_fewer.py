"""Sentences whose tagger words cannot change a record are not tagged (taggable.needs_tags),
and the records stay those of tagging every sentence."""
from __future__ import annotations

import pytest

import pipeline.extract as extract
from pipeline.extract import extract_from_text, tagger
from pipeline.extract.taggable import needs_tags

ARTICLE = [
    "国家数据局局长刘烈宏表示，数据要素市场建设取得进展。",
    "Source: www.example.org/report-2023.pdf (p. 12, table 3).",
    "2023-06-01 10:30 | 1,234 | 56.7% | +8.9",
    "Sarah Tong, Joe Biden and Barack Obama.",
    "会上，市民陈立新说，办事方便多了。",
]


@pytest.mark.parametrize("sentence,expected", [
    ("市民陈立新说，办事方便多了。", True),  # Han: a span may be a name, an organization, a vote
    ("数", True),
    ("Linus Torvalds said so.", True),  # a Latin full name: kept when a PER span overlaps it
    ("Sarah Y. Tong wrote it.", True),
    ("2023-06-01 10:30 | 1,234 | 56.7%", False),  # numbers: no span is read by any rule
    ("see www.example.org/a-b.pdf, p. 12", False),
    ("Linux kernel 6.1 released.", False),  # one capitalised word is no Latin name
    ("（152）", False),
])
def test_needs_tags(sentence, expected):
    assert needs_tags(sentence) is expected


def _encoded(monkeypatch) -> list[str]:
    seen: list[str] = []
    encode = tagger._encode

    def spy(model, texts):
        seen.extend(texts)
        return encode(model, texts)

    monkeypatch.setattr(tagger, "_encode", spy)
    tagger._SEEN.clear()
    return seen


def test_untaggable_sentences_skip_the_encoder(monkeypatch):
    seen = _encoded(monkeypatch)
    extract_from_text("标题", ARTICLE)
    assert "2023-06-01 10:30 | 1,234 | 56.7% | +8.9" not in seen
    assert not any(s.startswith("Source:") for s in seen)
    assert "Sarah Tong, Joe Biden and Barack Obama." in seen
    assert any("刘烈宏" in s for s in seen)


def test_prefetch_skips_them_too(monkeypatch):
    from pipeline.record import Document

    seen = _encoded(monkeypatch)
    extract.prefetch_tags([Document(id="a", path="a", metadata={"paragraphs": ARTICLE})])
    assert seen and not any(s.startswith(("2023-06-01", "Source:")) for s in seen)


def test_records_equal_tagging_everything(monkeypatch):
    tagger._SEEN.clear()
    fewer = extract_from_text("标题", ARTICLE)
    monkeypatch.setattr(extract, "needs_tags", lambda s: True)
    tagger._SEEN.clear()
    assert extract_from_text("标题", ARTICLE) == fewer


def test_skipped_sentences_keep_their_place():
    """The entities keep every sentence, in text order (organizations come in that order),
    an untagged one with no words."""
    words = extract.article_entities(ARTICLE)
    assert list(words) == [s for p in ARTICLE for s in extract.split_sentences(p)]
    assert words["2023-06-01 10:30 | 1,234 | 56.7% | +8.9"] == ()
    assert words["国家数据局局长刘烈宏表示，数据要素市场建设取得进展。"]


def test_a_latin_name_needs_its_sentence_tagged(monkeypatch):
    """The one reader without Han: a Latin full name that a PER span overlaps. Leaving its
    sentence untagged would lose the person (the check can fail)."""
    tagger._SEEN.clear()
    names = [p["name"] for p in extract_from_text("标题", ARTICLE)[0]["people"]]
    assert "Barack Obama" in names
    monkeypatch.setattr(extract, "needs_tags", lambda s: needs_tags(s) and not s.startswith("Sarah"))
    tagger._SEEN.clear()
    assert "Barack Obama" not in [p["name"] for p in extract_from_text("标题", ARTICLE)[0]["people"]]
