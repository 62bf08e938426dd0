"""Group duplicates: the same body (exact fingerprint) or nearly the same (MinHash), within a
run and against the previous release."""
from __future__ import annotations

import numpy as np

from pipeline.dedupe.history import PriorIndex, match_page, match_signature
from pipeline.dedupe.ids import article_id
from pipeline.dedupe.near import DEFAULT, group_signatures, signature


def content_id(c: dict) -> str:
    """The id of the candidate's body (``stages.candidate`` computes it once, in the shard)."""
    return c.get("content_id") or article_id(c["metadata"].get("body", ""))


def body_signature(c: dict) -> np.ndarray:
    sig = c.get("sig")
    return signature(c["metadata"].get("body", "")) if sig is None else sig


def body_chars(c: dict) -> int:
    return c["chars"] if "chars" in c else len(c["metadata"].get("body", ""))


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

    Reads only ``light`` fields, so the candidates may be light ones (``pipeline.run.staging``).
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


def light(c: dict) -> dict:
    """What dedupe reads of a candidate: about 1.6 KB in memory, where the whole candidate takes ~12 KB."""
    return {"page_id": c["page_id"], "path": c["path"], "url": c["url"], "flags": c["flags"],
            "content_id": content_id(c), "sig": body_signature(c), "chars": body_chars(c),
            "metadata": {"published_at": c["metadata"].get("published_at")}}


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
    Canonicals that matched carry ``article_id``; build_tables uses it instead of hashing the body.
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
