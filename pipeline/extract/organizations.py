"""Organizations: canonical names, aliases and types.

An alias comes from the text's own definition (``中国信息通信研究院(以下简称“中国信通院”)``)
or from the source registry (``data/sources.csv``); a unit of an aliased body keeps its
unit name under the canonical parent (中国信通院云计算与大数据研究所 →
中国信息通信研究院云计算与大数据研究所). The type is the registry's, else read from how
the name ends (``extract_rules.yaml`` org_types).
"""
from __future__ import annotations

import re
from functools import cache

from ..normalize.reference import rules, split_list, table
from ..normalize.lexicon import Lexicon

_DEFINITION = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9()（）·]{2,40})[（(]\s*(?:以下)?(?:简称|下称)[:：]?\s*[“\"]?([^”\"（）()]{2,20})[”\"]?\s*[）)]"
)
_PARENS = str.maketrans("（）", "()")
_REGISTRY_TYPES = {"central_media": "media", "local_media": "media", "portal": "media"}


@cache
def _registry_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in table("sources.csv"):
        for alias in split_list(row["aliases"]):
            out.setdefault(alias, row["name"])
    return out


@cache
def _registry_types() -> dict[str, str]:
    return {row["name"]: _REGISTRY_TYPES.get(row["type"], row["type"]) for row in table("sources.csv")}


@cache
def _type_suffixes() -> tuple[tuple[str, str], ...]:
    pairs = [(suffix, kind) for kind, suffixes in rules()["org_types"].items() for suffix in suffixes]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def text_aliases(text: str) -> dict[str, str]:
    """Aliases the text defines: {short form: full name}."""
    out: dict[str, str] = {}
    if "简称" not in text and "下称" not in text:
        return out
    for m in _DEFINITION.finditer(text):
        full, short = _trim_lead(m.group(1)), m.group(2).strip()
        if full and short and short != full:
            out.setdefault(short, full)
    return out


def _trim_lead(name: str) -> str:
    """Drop a leading clause word (由, 在, 与 …) that the definition pattern swept up."""
    return strip_lead(name)


@cache
def _lead_pattern() -> re.Pattern:
    words = sorted(rules()["org_lead_strip"], key=len, reverse=True)
    return re.compile("^(?:" + "|".join(re.escape(w) for w in words) + ")+")


def strip_lead(text: str) -> str:
    """``开幕式由中国信通院…`` → ``中国信通院…``; keeps names that start with 和/与 inside."""
    s = text
    for _ in range(3):
        m = _lead_pattern().match(s)
        if not m or len(s) - m.end() < 2:
            break
        s = s[m.end():]
    return s


@cache
def _alias_index() -> dict[str, tuple[str, ...]]:
    """Registry aliases by their first two characters, longest first (prefix lookups)."""
    index: dict[str, list[str]] = {}
    for alias in _registry_aliases():
        index.setdefault(alias[:2], []).append(alias)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


def _expand(name: str, alias: str, full: str) -> str:
    rest = name[len(alias):]
    return name if rest.startswith(full[len(alias):]) or full.startswith(name) else full + rest


def canonical(name: str, aliases: dict[str, str] | None = None) -> str:
    """The canonical form of an organization name: a known alias (text's first, then the
    registry's) replaced by its full name, also as the prefix of a unit's name."""
    if not name:
        return name
    name = name.translate(_PARENS)
    if aliases:
        text_aliases_ = {k.translate(_PARENS): v.translate(_PARENS) for k, v in aliases.items()}
        if name in text_aliases_:
            return text_aliases_[name]
        best = max((a for a in text_aliases_ if name.startswith(a)), key=len, default="")
        if best:
            return _expand(name, best, text_aliases_[best])
    reg = _registry_aliases()
    if name in reg:
        return reg[name]
    for alias in _alias_index().get(name[:2], ()):
        if name.startswith(alias):
            return _expand(name, alias, reg[alias])
    return name


def org_type(name: str) -> str:
    """government | research | company | association | media | international | other."""
    known = _registry_types().get(name)
    if known:
        return known
    parents = [n for n in _registry_types() if name.startswith(n) and len(n) >= 3]
    if parents:
        return _registry_types()[max(parents, key=len)]
    from .regions import mentions

    if mentions(name) and mentions(name)[0][:2] == (0, len(name)):
        return "government"
    if name.startswith("联合国") or name.startswith("世界"):
        return "international"
    for suffix, kind in _type_suffixes():
        if name.endswith(suffix):
            return kind
    for suffix, kind in _type_suffixes():
        if suffix in name and len(suffix) >= 2:
            return kind
    return "other"


def extract_organizations(names: list[str], text: str) -> list[dict]:
    """One row per organization named in the article: {name, aliases, type}.

    ``names`` are the raw names other extractors found (people's organizations, organizers,
    issuers); registry outlets named in ``text`` are added. Order: first appearance."""
    defined = text_aliases(text)
    reg_alias = _registry_aliases()
    found: dict[str, set[str]] = {}
    order: list[str] = []

    def add(raw: str) -> None:
        raw = raw.strip()
        if len(raw) < 2:
            return
        canon = canonical(raw, defined)
        if canon not in found:
            found[canon] = set()
            order.append(canon)
        if raw != canon:
            found[canon].add(raw)

    for full in defined.values():
        add(full)
    for raw in names:
        add(raw)
    named = _registry_outlets_in(text)
    for outlet in named:
        add(outlet)
    rows = []
    for canon in order:
        aliases = set(found[canon])
        aliases.update(short for short, full in defined.items() if full == canon)
        aliases.update(a for a, full in reg_alias.items() if full == canon and a in named)
        aliases.discard(canon)
        rows.append({"name": canon, "aliases": sorted(aliases), "type": org_type(canon)})
    return rows


@cache
def _outlet_lexicon() -> Lexicon[str]:
    entries = []
    for row in table("sources.csv"):
        entries += [(n, n) for n in [row["name"], *split_list(row["aliases"])] if len(n) >= 3]
    return Lexicon(entries)


def _registry_outlets_in(text: str) -> list[str]:
    """Registry names and aliases (three characters or more) found in the text."""
    out: list[str] = []
    for _, _, name, _ in _outlet_lexicon().find(text):
        if name not in out:
            out.append(name)
    return out


_ORG_TEXT = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9()（）·]{2,40}$")


def tagged_organizations(entities: dict) -> list[str]:
    """Organization names the tagger found, in text order of the sentences given (a dict
    keeps them): whole names of two to forty characters with brackets balanced, leading
    clause words cut, none that the article more often reads as something else."""
    from .tagger import outvoted

    doubtful = outvoted(entities, "ORG")
    out: list[str] = []
    for spans in entities.values():
        for sp in spans:
            if sp.label != "ORG" or sp.text in doubtful:
                continue
            name = strip_lead(sp.text.strip())
            if (_ORG_TEXT.match(name) and any("\u4e00" <= c <= "\u9fff" for c in name) and name not in out
                    and name.count("(") + name.count("（") == name.count(")") + name.count("）")):
                out.append(name)
    return out
