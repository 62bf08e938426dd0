"""One file on disk -> the JSON-ready dict that `dgn extract` prints. Never raises."""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.clean import clean_page
from pipeline.ingest.decode import decode_bytes

HTML_EXT = (".html", ".htm", ".shtml", ".xhtml")
_TAGS = re.compile(r"<\s*(html|head|body|div|p|meta|title|!doctype|table|span|a)\b", re.I)


def sniff_format(text: str) -> str:
    """'html' when the start of the text carries markup, else 'text'."""
    return "html" if len(_TAGS.findall(text[:5000])) >= 2 else "text"


def format_for(path: str, text: str | None = None) -> str:
    """By extension (.txt -> text; .html/.htm/.shtml -> html), else by sniffing the content."""
    ext = Path(path).suffix.lower()
    if ext == ".txt":
        return "text"
    if ext in HTML_EXT:
        return "html"
    return sniff_format(text or "")


def extract_path(path: str) -> dict:
    """The page as `dgn extract` prints it: `text` is the body alone (the title has its own field)."""
    try:
        raw = Path(path).read_bytes()
        text, _enc = decode_bytes(raw)
        art = clean_page(text, format_for(path, text))
        return {"path": path, "url": art.url, "title": art.title, "published_at": art.published_at,
                "source": art.source_raw, "authors": art.authors,
                "text": art.body}
    except Exception as e:  # one bad page must not end a run over hundreds
        return {"path": path, "error": f"{type(e).__name__}: {e}"}
