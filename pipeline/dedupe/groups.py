"""Group duplicates: the same body (exact fingerprint) or nearly the same (MinHash)."""
from __future__ import annotations

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
