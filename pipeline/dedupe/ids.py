"""Stable article ids: from the article's own text, so a re-crawl or a reprint keeps its id."""
from __future__ import annotations

import hashlib
import re

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def fingerprint(text: str) -> str:
    """The body with white space and punctuation gone: what stays the same across reprints."""
    return _NOISE.sub("", text)


def article_id(body: str) -> str:
    return hashlib.sha256(("dgn-article/1:" + fingerprint(body)).encode("utf-8")).hexdigest()[:20]
