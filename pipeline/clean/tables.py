"""Data tables: an official notice or a 公示 whose content is a table of short cells.

Each cell is a block of its own and, short and bare of punctuation, scores as furniture, so
the body used to stop at the table (or come out empty when the table is all there is). A
table of several rows of short, unlinked cells is data: its cells score as content, and the
cells of a row become one paragraph, joined with a space. Layout tables (cells holding long
text or many blocks) and a document's metadata table (索引号, 发布机构, 成文日期) are not data.
"""
from __future__ import annotations

from functools import lru_cache

from pipeline.clean.markers import classify
from pipeline.clean.signals import data, line_score

CELL_SCORE = 2.0  # a data cell's score: a row of a few cells outweighs a furniture line
FURNITURE = -7.0  # below this a cell carries a marker or a link wall: left as it is
ROWS_MIN = 3
CELL_MAX = 120  # visible characters: a longer cell is layout
LINKS_MAX = 0.3
CELL_MEAN = 3  # characters a cell on average: a calendar's day numbers are no content
META_LABELS = 2  # label cells (索引号, 发布机构) that make a document's metadata table


@lru_cache(maxsize=1)
def _meta_labels() -> frozenset:
    return frozenset(data().get("doc_meta_labels") or ())


def _is_meta(text: str) -> bool:
    key = "".join(text.split()).rstrip(":：")
    return key in _meta_labels()


def mark_data_tables(blocks: list) -> tuple[dict[int, object], set[int]]:
    """Raise the scores of data-table cells. Returns (block index -> its row, for those cells;
    the indexes of the blocks of document-metadata tables, which are no part of the body)."""
    tables: dict = {}
    for k, b in enumerate(blocks):
        place = b.place
        if place is not None:
            tables.setdefault(place[2], []).append((k, place[1], place[0]))
    rows_of: dict[int, object] = {}
    meta: set[int] = set()
    for members in tables.values():
        rows: dict = {}
        for k, row, cell in members:
            rows.setdefault(row, set()).add(cell)
        texts = [blocks[k] for k, _, _ in members]
        if len(texts) > 2 * sum(len(c) for c in rows.values()):
            continue
        if any(len(b.text) > CELL_MAX for b in texts):
            continue
        if sum(b.link_ratio for b in texts) > LINKS_MAX * len(texts):
            continue
        if sum(1 for b in texts if _is_meta(b.text)) >= META_LABELS:
            meta.update(k for k, _, _ in members)
            continue
        if sum(1 for cells in rows.values() if len(cells) >= 2) < ROWS_MIN:
            continue
        if sum(len(b.text) for b in texts) < CELL_MEAN * len(texts):
            continue
        for k, row, _ in members:
            b = blocks[k]
            # the cell's own score: a date cell's penalty for standing in a run of dated
            # headlines (score_blocks) does not hold inside a table
            if b.score < CELL_SCORE and line_score(b.text, b.link_ratio) > FURNITURE and classify(b.text) is None:
                b.score = CELL_SCORE
            rows_of[k] = row
    return rows_of, meta


def join_rows(body: list[tuple[int, object]], rows_of: dict[int, object], make) -> list:
    """The blocks of ``body`` ((index among all blocks, block) pairs) with each data-table
    row's cells made one block (``make(text, cells)``)."""
    out: list = []
    cur = None
    group: list = []
    for k, b in body:
        row = rows_of.get(k)
        if group and (row is None or row is not cur):
            out.append(make(" ".join(x.text for x in group), group) if len(group) > 1 else group[0])
            group = []
        if row is None:
            out.append(b)
            cur = None
        else:
            group.append(b)
            cur = row
    if group:
        out.append(make(" ".join(x.text for x in group), group) if len(group) > 1 else group[0])
    return out
