"""Bytes to text without mojibake: declared charset first, then UTF-8, then detection."""
from __future__ import annotations

import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "big5": "big5hkscs", "utf8": "utf-8", "unicode": "utf-8"}


def _norm(name: str) -> str:
    name = name.lower().strip()
    return _ALIASES.get(name, name)


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). A declared or meta charset is trusted only if it decodes cleanly."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace"), "utf-8"
    candidates = []
    if declared:
        candidates.append(_norm(declared))
    m = _META.search(raw[:4096])
    if m:
        candidates.append(_norm(m.group(1).decode("ascii", "ignore")))
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return raw.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    enc = _norm(best.encoding) if best else "gb18030"
    return raw.decode(enc, "replace"), enc
