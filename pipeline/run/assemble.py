"""Turn canonical articles into the rows of the released tables (SPEC "Tables")."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Iterable

from pipeline.dedupe.columnar import Resolution, resolve_pages
from pipeline.dedupe.history import PriorIndex
from pipeline.tables import TABLES as SPECS

CHILD_TABLES = ("people", "events", "statistics", "documents", "quotes")
TABLES = ("articles", "people", "organizations", "events", "statistics", "documents", "quotes")


def _event_id(aid: str, row: dict) -> str:
    key = f"{aid}|{row.get('name')}|{row.get('date')}|{row.get('edition')}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


HEADLINE_CHARS = 40  # a headline made from the first sentence is cut here


def first_sentence(body: str) -> str | None:
    """The body's first sentence, as a stand-in headline (cut at HEADLINE_CHARS with …)."""
    line = next((x.strip() for x in body.splitlines() if x.strip()), "")
    m = re.match(r"(.+?[。！？!?])", line)
    s = m.group(1) if m else line
    return (s if len(s) <= HEADLINE_CHARS else s[:HEADLINE_CHARS] + "…") or None


def article_row(c: dict, aid: str, duplicate_count: int) -> dict:
    """An article whose headline or date the page does not give is still an article, flagged
    ``untitled`` / ``undated`` (SPEC): an untitled one takes its first sentence as headline,
    an undated one has a null published_at."""
    m = c["metadata"]
    body = m.get("body", "")
    missing = [f for f, v in (("untitled", m.get("title")), ("undated", m.get("published_at"))) if not v]
    title = m.get("title") or first_sentence(body)
    return {
        "article_id": aid, "url": c["url"], "site": m.get("site"), "title": title,
        "published_at": m.get("published_at"), "published_at_source": m.get("published_at_source"),
        "source": m.get("source"), "source_raw": m.get("source_raw"), "source_type": m.get("source_type") or "unknown",
        "flags": sorted(set(c["flags"]) | set(missing)), "authors": list(m.get("authors", [])), "editors": list(m.get("editors", [])),
        "body": body, "char_count": len(body), "topic_score": float(m.get("topic_score") or 0.0),
        "keywords": list(m.get("keywords", [])), "region_codes": list(m.get("region_codes", [])),
        "duplicate_count": duplicate_count, "page_id": c["page_id"], "fetched_at": c["fetched_at"],
    }


def one_row_per_key(name: str, rows: list[dict]) -> list[dict]:
    """Merge rows that share the table's primary key (a person named twice in one article).

    The first row wins; its empty fields are filled from the later ones, so the mention with a
    title is not lost to a bare one.
    """
    key = SPECS[name].primary_key
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(str(row.get(c)) for c in key)
        if k not in merged:
            merged[k] = dict(row)
            continue
        for col, val in row.items():
            if merged[k].get(col) in (None, "", []) and val not in (None, "", []):
                merged[k][col] = val
    return list(merged.values())


class Organizations:
    """Organizations are one row per name across articles: gathered as articles go by. An
    article's organizations come in one ``add``, so an article is counted, not kept."""

    def __init__(self) -> None:
        self._by_name: dict[str, dict] = {}

    def add(self, aid: str, orgs: list[dict]) -> None:
        for o in orgs:
            e = self._by_name.setdefault(o["name"], {"name": o["name"], "aliases": set(), "type": o.get("type"),
                                                     "articles": 0, "last": None})
            e["aliases"].update(o.get("aliases", []))
            if e["last"] != aid:
                e["articles"] += 1
                e["last"] = aid
            e["type"] = e["type"] or o.get("type")

    def rows(self) -> list[dict]:
        return [{"name": n, "aliases": sorted(e["aliases"]), "type": e["type"], "article_count": e["articles"]}
                for n, e in sorted(self._by_name.items())]


def rows_of(c: dict, aid: str, duplicate_count: int) -> dict[str, list[dict]]:
    """The article row and the child rows of one canonical candidate (organizations aside)."""
    out: dict[str, list[dict]] = {"articles": [article_row(c, aid, duplicate_count)]}
    for t in CHILD_TABLES:
        rows = []
        for row in c["records"].get(t, []):
            row = {"article_id": aid, **row}
            if t == "events":
                row = {"event_id": _event_id(aid, row), **row}
            rows.append(row)
        out[t] = one_row_per_key(t, rows)
    return out


def build_tables(cands: list[dict], prior: PriorIndex | None = None, carry_forward: bool = True
                 ) -> tuple[dict[str, list[dict]], list[dict]]:
    """Rows for every table, and the rejected rows of duplicates pointing at their canonical article.

    The in-memory path (tests, small inputs): dedupe the candidates as the flow does
    (``dedupe.resolve_pages``), then ``rows_of`` every canonical, in page-id order. The flow
    does the same shard by shard from disk (``pipeline.run.staging``).
    """
    res = resolve_pages(cands, prior, carry_forward)
    orgs = Organizations()
    tables = _gather(dict(res.ids), res.dup_counts, sorted(cands, key=lambda c: c["page_id"]), orgs)
    tables["organizations"] = orgs.rows()
    return tables, res.duplicates


def _gather(pending: dict[str, str], dup_counts: Counter, cands: list[dict], orgs: Organizations
            ) -> dict[str, list[dict]]:
    """Rows of the candidates whose page ``pending`` names (page_id -> article_id), taken out
    of it as they are written; organizations go to ``orgs``. Two files with the same bytes are
    one page: its first copy is the canonical, the second finds its id taken."""
    out: dict[str, list[dict]] = {t: [] for t in ("articles", *CHILD_TABLES)}
    for c in cands:
        aid = pending.pop(c["page_id"], None)
        if aid is None:
            continue
        for t, rows in rows_of(c, aid, dup_counts[c["page_id"]]).items():
            out[t].extend(rows)
        orgs.add(aid, c["records"].get("organizations", []))
    return out


def write_tables(res: Resolution, shards: Iterable[list[dict]], spool) -> dict:
    """Every table from candidates that come a shard at a time (``staging.Staging``): rows go
    to ``spool`` (a ``staging.TableSpool``) shard by shard and come back as sorted Parquet
    files (``stream.TableSource``); organizations are gathered across shards (Arrow)."""
    from pipeline.tables import to_arrow

    orgs = Organizations()
    for cands in shards:  # res.ids is used up: a page's id leaves it when its rows are written
        for t, rows in _gather(res.ids, res.dup_counts, cands, orgs).items():
            spool.add(t, rows)
    tables = spool.finish(("articles", *CHILD_TABLES))
    tables["organizations"] = to_arrow("organizations", orgs.rows())
    return {t: tables[t] for t in TABLES}
