"""Page-level quality filters, in the spirit of datatrove's: small, one rule each, with a reason."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from pipeline.record import Document

_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Verdict:
    keep: bool
    reason: str | None = None
    detail: str | None = None


KEEP = Verdict(True)


def no_body(doc: Document, limits: dict) -> Verdict:
    if not doc.metadata.get("body", "").strip():
        return Verdict(False, "boilerplate_only", "no article text left after cleaning")
    return KEEP


def too_short(doc: Document, limits: dict) -> Verdict:
    n = len(re.sub(r"\s", "", doc.metadata.get("body", "")))
    if n < limits["min_chars"]:
        return Verdict(False, "too_short", f"{n} characters < {limits['min_chars']}")
    return KEEP


def not_chinese(doc: Document, limits: dict) -> Verdict:
    body = re.sub(r"\s", "", doc.metadata.get("body", ""))
    ratio = len(_HAN.findall(body)) / max(1, len(body))
    if ratio < limits["min_han_ratio"]:
        return Verdict(False, "not_chinese", f"Han character ratio {ratio:.2f} < {limits['min_han_ratio']}")
    return KEEP


def off_topic(doc: Document, limits: dict) -> Verdict:
    score = float(doc.metadata.get("topic_score") or 0.0)
    if score < limits["min_topic_score"]:
        return Verdict(False, "off_topic", f"topic_score {score:.3f} < {limits['min_topic_score']}")
    return KEEP


FILTERS: list[Callable[[Document, dict], Verdict]] = [no_body, too_short, not_chinese, off_topic]

DEFAULT_LIMITS = {"min_chars": 120, "min_han_ratio": 0.3, "min_topic_score": 0.05}


def run_filters(doc: Document, limits: dict | None = None) -> Verdict:
    """The first filter that drops the page decides its reason."""
    lim = {**DEFAULT_LIMITS, **(limits or {})}
    for f in FILTERS:
        v = f(doc, lim)
        if not v.keep:
            return v
    return KEEP
