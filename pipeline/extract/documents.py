"""Documents: every title in 《》, with its type and, where the text says so, its issuer.

The type comes from how the title ends (…意见 policy, …规划 plan, …白皮书 white paper) or
from the word right after 》 (《…》主旨演讲 speech); the issuer from ``X发布/印发《…》``,
``由X发布的《…》`` or a title that starts with ``X关于``.
"""
from __future__ import annotations

import re
from functools import cache

from ..normalize.reference import rules
from .organizations import strip_lead

_TITLE = re.compile(r"《([^《》\n]{1,80})》")
_ORG_END = re.compile(r"(?:研究院|研究所|部|局|委|办公室|办公厅|中心|协会|学会|公司|集团|大学|政府|厅|联合会|委员会)$")
DOC_TYPES = ("policy", "plan", "report", "standard", "white_paper", "speech", "other")


@cache
def _suffix_types() -> tuple[tuple[str, str], ...]:
    pairs = [(w, kind) for kind, words in rules()["doc_types"].items() for w in words]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@cache
def _after_types() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(rules()["doc_type_after"].items(), key=lambda p: -len(p[0])))


@cache
def _issue_before() -> re.Pattern:
    verbs = "|".join(rules()["doc_issue_verbs"])
    return re.compile(rf"(?:由)?([\u4e00-\u9fffA-Za-z0-9()（）]{{2,40}}?)(?:正式|联合|共同|近日|日前|新)*(?:{verbs})(?:了|的|并解读)?$")


def doc_type(title: str, after: str = "") -> str:
    """policy | plan | report | standard | white_paper | speech | other."""
    core = re.sub(r"[(（][^()（）]*[)）]$", "", title).strip()
    for word, kind in _after_types():
        if after.startswith(word):
            return kind
    for word, kind in _suffix_types():
        if core.endswith(word):
            return kind
    return "other"


def _issuer(title: str, before: str, known: list[str]) -> str | None:
    m = re.match(r"^(?:中共中央|国务院|[\u4e00-\u9fff]{2,20}?(?:部|委|局|厅|政府|办公厅|委员会))(?=关于)", title)
    if m:
        return m.group(0)
    clause = re.split(r"[,，。;；:：“”]", before)[-1]
    m = _issue_before().search(clause)
    if not m:
        return None
    cand = strip_lead(m.group(1))
    for name in known:
        if cand.endswith(name):
            return name
    if len(cand) >= 4 and _ORG_END.search(cand):
        return cand
    return None


def extract_documents(paragraphs: list[str], known_names: list[str] = ()) -> list[dict]:
    """Rows {title, doc_type, issuer}, one per distinct title, in order of first mention; a
    short form of another title (下称《通知》) is not a row of its own. ``known_names`` (people
    and organizations found) may be named as issuers."""
    rows: dict[str, dict] = {}
    for para in paragraphs:
        for m in _TITLE.finditer(para):
            title = m.group(1).strip()
            if not title or re.fullmatch(r"[\d\s.]+", title):
                continue
            after = para[m.end(): m.end() + 6]
            before = para[max(0, m.start() - 40): m.start()]
            row = rows.get(title)
            if row is None:
                rows[title] = {"title": title, "doc_type": doc_type(title, after), "issuer": _issuer(title, before, list(known_names))}
            elif row["issuer"] is None:
                row["issuer"] = _issuer(title, before, list(known_names))
    return [r for t, r in rows.items() if not _short_form(t, rows, paragraphs)]


_SHORT_INTRO = re.compile(r"(?:以下简称|下称|简称|以下称)《([^《》\n]{1,80})》")


def _short_form(title: str, rows: dict, paragraphs: list[str]) -> bool:
    """《通知》 after 《关于…的通知》, or any title introduced by 简称/下称: the short name of a
    title the article already gives, not another document."""
    generic = any(w == title for w, _ in _suffix_types())
    if generic and any(len(t) > len(title) and t.endswith(title) for t in rows):
        return True
    return any(m.group(1).strip() == title for p in paragraphs for m in _SHORT_INTRO.finditer(p))
