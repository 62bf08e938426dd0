"""The dict implementation of dedupe, kept as the tests' reference for the product's columnar
one (``pipeline.dedupe.columnar``): one dict a page, grouped, ordered and resolved in plain
Python, easy to read and check by eye. ``resolve(*group_duplicates(entries), prior,
carry_forward)`` is what ``resolve_lights`` must give, row for row and in the same order.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from pipeline.dedupe.columnar import Resolution
from pipeline.dedupe.history import PriorIndex, match_page, match_signature
from pipeline.dedupe.lights import body_chars, body_signature, content_id
from pipeline.dedupe.near import DEFAULT, group_signatures


def preference(c: dict) -> tuple:
    """Keep the original source over a reprint or a spam mirror, then the earliest, then the longest."""
    published = c["metadata"].get("published_at")
    return (
        "reprint" in c["flags"] or "spam_source" in c["flags"],
        published is None,
        published.timestamp() if published else 0.0,
        -body_chars(c),
        c["page_id"],
    )


def group_duplicates(cands: list[dict]) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """Return (canonical candidates, [(duplicate, its canonical)]), each group's canonical by preference.

    Reads only ``light`` fields, so the candidates may be light ones.
    """
    cands = sorted(cands, key=lambda c: c["page_id"])
    sigs = np.vstack([body_signature(c) for c in cands]) if cands else np.zeros((0, DEFAULT.permutations), np.uint32)
    roots = [int(r) for r in group_signatures(sigs)]
    groups: dict[int, list[dict]] = {}
    for c, r in zip(cands, roots):
        groups.setdefault(r, []).append(c)
    keep, dups = [], []
    for members in groups.values():
        members.sort(key=preference)
        keep.append(members[0])
        dups.extend((d, members[0]) for d in members[1:])
    keep.sort(key=lambda c: c["page_id"])
    return keep, dups


def released_stub(aid: str, prior: PriorIndex) -> dict:
    """Stands for an article of the previous release that this run's pages are copies of."""
    return {"page_id": None, "path": None, "url": None, "article_id": aid, "released_in": prior.version}


def against_prior(keep: list[dict], dups: list[tuple[dict, dict]], prior: PriorIndex | None,
                  carry_forward: bool = True) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """Give groups that copy a released article that article's id, so it is never released as new.

    A group matches a released article when one of its pages is that article's page, or when
    one of its bodies is a copy of it (``history.match``). With ``carry_forward`` (an incremental
    run: the new release keeps the old articles) a matched group is not released again: every
    page becomes a duplicate of the released ``article_id``. Without it (a full rebuild that
    starts from nothing), or when the group holds the released page itself, the group is
    released under the released ``article_id``, its canonical still chosen by ``preference``.
    Canonicals that matched carry ``article_id``, used instead of the id of the body.
    """
    if prior is None or not len(prior):
        return keep, dups
    members: dict[str, list[dict]] = {c["page_id"]: [c] for c in keep}
    for d, canon in dups:
        members[canon["page_id"]].append(d)
    new_keep: list[dict] = []
    new_dups: list[tuple[dict, dict]] = []
    for c in keep:
        group = members[c["page_id"]]  # canonical first, then its duplicates in preference order
        own = next((a for m in group if (a := match_page(prior, m["page_id"]))), None)
        aid = own or next((a for m in group if (a := match_signature(prior, content_id(m), body_signature(m)))), None)
        if aid is None:
            new_keep.append(c)
            new_dups.extend((m, c) for m in group[1:])
        elif own or not carry_forward:
            head = {**c, "article_id": aid}
            new_keep.append(head)
            new_dups.extend((m, head) for m in group[1:])
        else:
            stub = released_stub(aid, prior)
            new_dups.extend((m, stub) for m in group)
    return new_keep, new_dups


def canonical_id(c: dict) -> str:
    """The id a released article already has (see ``against_prior``), else the id of its body."""
    return c.get("article_id") or content_id(c)


def one_article_per_id(canonical: list[dict], duplicates: list[tuple[dict, dict]]) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """Fold a canonical whose id is already taken into the first holder, so article_id stays unique.

    Only an inherited id can collide (a new body identical to one an older release had under
    an id since carried by an edited text); grouping already joins identical bodies within a run.
    """
    holder: dict[str, dict] = {}
    keep = []
    moved: dict[str, dict] = {}
    for c in canonical:
        aid = canonical_id(c)
        if aid in holder:
            moved[c["page_id"]] = holder[aid]
        else:
            holder[aid] = c
            keep.append(c)
    if not moved:
        return canonical, duplicates
    dups = [(d, moved.get(canon["page_id"], canon)) for d, canon in duplicates]
    dups += [(c, moved[c["page_id"]]) for c in canonical if c["page_id"] in moved]
    return keep, dups


def _dup_detail(canon: dict) -> str | None:
    return f"released in {canon['released_in']}" if canon.get("released_in") else None


def resolve(canonical: list[dict], duplicates: list[tuple[dict, dict]], prior: PriorIndex | None = None,
            carry_forward: bool = True) -> Resolution:
    """Ids for the canonical pages and rows for the duplicates; reads light candidates only.

    With ``prior`` (``dedupe.load_index`` of the latest release) copies of released articles keep
    the released ``article_id``; when the new release carries the old articles forward
    (``carry_forward``, an incremental run) they become its duplicates instead of articles (see
    ``against_prior``). The duplicates can then outnumber the ``duplicates`` passed in.
    """
    canonical, duplicates = one_article_per_id(*against_prior(canonical, duplicates, prior, carry_forward))
    rows = [
        {"page_id": d["page_id"], "path": d["path"], "url": d["url"], "stage": "dedupe",
         "reason": "duplicate_of", "detail": _dup_detail(canon), "duplicate_of": canonical_id(canon)}
        for d, canon in duplicates
    ]
    return Resolution({c["page_id"]: canonical_id(c) for c in canonical},
                      Counter(canon["page_id"] for _, canon in duplicates if canon["page_id"] is not None), rows)


def build_tables(canonical: list[dict], duplicates: list[tuple[dict, dict]], prior: PriorIndex | None = None,
                 carry_forward: bool = True) -> tuple[dict[str, list[dict]], list[dict]]:
    """``assemble.build_tables`` over this reference: ``resolve`` then the rows of every canonical."""
    from pipeline.run.assemble import Organizations, _gather

    res = resolve(canonical, duplicates, prior, carry_forward)
    orgs = Organizations()
    tables = _gather(dict(res.ids), res.dup_counts, canonical, orgs)
    tables["organizations"] = orgs.rows()
    return tables, res.duplicates
