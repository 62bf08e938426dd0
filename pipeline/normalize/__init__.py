"""Stage 3, normalize: the cleaned article in canonical, redacted form plus its metadata.

``normalize_document`` reads ``doc.article`` (from the cleaner), ``doc.url``, ``doc.fetched_at``
and ``doc.content`` (only to spot a reprint disclaimer) and fills ``doc.metadata``; the
functions it calls are pure text functions in the sibling modules.
"""
from __future__ import annotations

import re

from ..record import Document
from . import dates, pii, script, sources
from .text import normalize_paragraphs, normalize_text

__all__ = ["normalize_document", "split_person_line"]

_PERSON_LABEL = re.compile(r"^(?:作者|撰文|文|记者|编辑|责任编辑|责编|通讯员|来源)\s*[:：|丨]\s*")
_NAME_THEN_REST = re.compile(r"^([\u4e00-\u9fff·]{2,5})(?:\s+|[,，、(（])(.+?)[)）]?$")


def split_person_line(line: str) -> tuple[str, str | None]:
    """``"陈宏曲 国务院办公厅电子政务办公室主任"`` → (name, what follows it)."""
    line = _PERSON_LABEL.sub("", normalize_text(line)).strip()
    m = _NAME_THEN_REST.match(line)
    if m:
        return m.group(1), m.group(2).strip() or None
    return line, None


def _names(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        for part in re.split(r"[、,，;；]\s*|\s{2,}", normalize_text(v)):
            name = split_person_line(part)[0] if part else ""
            if name and name not in out:
                out.append(name)
    return out


def normalize_document(doc: Document) -> Document:
    """Fill ``doc.metadata`` from ``doc.article``; flag spam source, reprint, Traditional script."""
    art = doc.article
    if art is None:
        return doc
    paragraphs = normalize_paragraphs(art.paragraphs)
    paragraphs, contact_lines, held = pii.drop_contact_blocks(paragraphs)
    redactions = dict(held)
    clean: list[str] = []
    for p in paragraphs:
        text, counts = pii.redact(p)
        for k, v in counts.items():
            redactions[k] += v
        clean.append(text)
    redactions["contact_block_lines"] = contact_lines
    title, counts = pii.redact(normalize_text(art.title))
    for k, v in counts.items():
        redactions[k] += v
    meta_lines = [pii.redact(normalize_text(x))[0] for x in art.meta_lines if x.strip()]

    body = "\n".join(clean)
    src = sources.resolve(art.source_raw, body, doc.url or art.url, doc.content or "")
    sc = script.detect_script(title + body[:4000])

    md = doc.metadata
    md.update(
        title=title,
        paragraphs=clean,
        body=body,
        published_at=dates.parse_published(art.published_at),
        published_at_source=art.published_at_source,
        source=src.source,
        source_raw=art.source_raw,
        source_type=src.type,
        site=src.site,
        authors=_names(art.authors),
        editors=_names(art.editors),
        author_lines=[normalize_text(a) for a in art.authors if a.strip()],
        meta_lines=meta_lines,
        redactions=redactions,
        script=sc,
    )
    if sc == "traditional":
        md["title_simplified"] = script.to_simplified(title)
        md["paragraphs_simplified"] = [script.to_simplified(p) for p in clean]
    for f in [*art.flags, *src.flags, *(["traditional_script"] if sc == "traditional" else [])]:
        if f not in doc.flags:
            doc.flags.append(f)
    return doc
