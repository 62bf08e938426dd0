"""Choose the publication date among the candidates a page offers, most trusted first."""
from __future__ import annotations

from datetime import datetime

from pipeline.clean.pubdate import date_from_url, not_after


def choose_date(candidates: list[tuple[str, str | None]], url: str | None,
                fetched_at: datetime | None) -> tuple[str | None, str | None]:
    """candidates: (source, iso) in order of trust; the URL comes last. Dates after the fetch
    (or, without one, after today) are refused. A day-only candidate is upgraded with the time
    of a later candidate for the same day."""
    cands = [(src, iso) for src, iso in candidates if iso and not_after(iso, fetched_at)]
    u = date_from_url(url)
    if u and not_after(u, fetched_at):
        cands.append(("url", u))
    if not cands:
        return None, None
    src, iso = cands[0]
    if len(iso) == 10:
        for _, other in cands[1:]:
            if len(other) > 10 and other[:10] == iso:
                return other, src
    return iso, src
