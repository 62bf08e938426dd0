"""Group duplicates: the same body (exact fingerprint) or nearly the same (MinHash), within a
run and against the previous release."""
from __future__ import annotations

from pipeline.dedupe.history import PriorIndex, match, match_page
from pipeline.dedupe.near import near_groups


def preference(c: dict) -> tuple:
    """Keep the original source over a reprint or a spam mirror, then the earliest, then the longest."""
    m = c["metadata"]
    published = m.get("published_at")
    return (
        "reprint" in c["flags"] or "spam_source" in c["flags"],
        published is None,
        published.timestamp() if published else 0.0,
        -len(m.get("body", "")),
        c["page_id"],
    )


def group_duplicates(cands: list[dict]) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """Return (canonical candidates, [(duplicate, its canonical)]), each group's canonical by preference."""
    cands = sorted(cands, key=lambda c: c["page_id"])
    roots = near_groups([c["metadata"].get("body", "") for c in cands])
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
        aid = own or next((a for m in group if (a := match(prior, m["metadata"].get("body", "")))), None)
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
