"""PII redaction: phone numbers, e-mail addresses, ID numbers and QQ numbers in released text.

Public officials named in the news are not PII; contact details are. Each kind is replaced
by a bracketed tag so a reader sees that something was there, and counted for the manifest.
Contact blocks (``联系人:`` and the lines of names, numbers and addresses under it) are
dropped whole, because a name beside a phone number is personal data even after the number
is masked.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

PATTERNS_FILE = Path(__file__).resolve().parents[1] / "data" / "pii_patterns.yaml"
KINDS = ("phone", "email", "id_number", "qq")
# Full-width digits, letters and signs to ASCII, one character for one, so that a match on
# the folded text is a match at the same offsets of the original.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HAS_CUE = re.compile(r"[0-9０-９@＠]|[\[(（【]\s*(?i:at)\s*[\])）】]")
_CONTACT_START = re.compile(
    r"^\s*(?:联\s*系\s*人|联系方式|联系电话|咨询电话|服务热线|联系邮箱|投稿邮箱|媒体联系|商务合作|"
    r"电\s*话|手\s*机|传\s*真|邮\s*箱|E-?mail|地\s*址|邮\s*编)\s*[:：]?",
    re.I,
)


@lru_cache(maxsize=1)
def specs() -> dict[str, dict]:
    """kind -> {pattern, tag, counts_as}, from ``pipeline/data/pii_patterns.yaml``."""
    import yaml

    return yaml.safe_load(PATTERNS_FILE.read_text("utf-8"))["pii"]


def patterns() -> dict[str, str]:
    """kind -> regex: what the validation suites check every text column against."""
    return {k: v["pattern"] for k, v in specs().items()}


@lru_cache(maxsize=1)
def _combined() -> re.Pattern:
    return re.compile("|".join(f"(?P<{k}>{v['pattern']})" for k, v in specs().items()))


def fold(text: str) -> str:
    """Full-width forms as ASCII, length and offsets unchanged."""
    return text.translate(_FOLD)


def redact(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with PII replaced by tags, and the count of each kind replaced."""
    counts = dict.fromkeys(KINDS, 0)
    if not text or not _HAS_CUE.search(text):
        return text, counts
    out, last = [], 0
    for m in _combined().finditer(fold(text)):
        kind = m.lastgroup
        spec = specs()[kind]
        counts[spec["counts_as"]] += 1
        label = m.groupdict().get(f"{kind}_label")
        keep = m.start() + len(label) if label else m.start()
        out += [text[last:keep], spec["tag"]]
        last = m.end()
    if last == 0:
        return text, counts
    out.append(text[last:])
    return "".join(out), counts


def redact_text(text: str | None) -> str | None:
    """``redact`` without the counts, for any value that leaves the run (None stays None)."""
    return None if text is None else redact(text)[0]


def _looks_like_contact_line(line: str) -> bool:
    if _CONTACT_START.match(line):
        return True
    _, c = redact(line)
    return any(c.values()) and len(line) <= 80 and "。" not in line


def drop_contact_blocks(paragraphs: list[str]) -> tuple[list[str], int, dict[str, int]]:
    """Paragraphs without contact blocks: the number of lines dropped and the PII they held.

    A block starts at a contact label (联系人, 电话, 邮箱 …) and runs over the following short
    lines that carry a phone number, e-mail or QQ number."""
    out: list[str] = []
    dropped = 0
    held = dict.fromkeys(KINDS, 0)
    in_block = False
    for p in paragraphs:
        starts = bool(_CONTACT_START.match(p)) and len(p) <= 120
        if starts or (in_block and _looks_like_contact_line(p)):
            in_block = True
            dropped += 1
            for k, v in redact(p)[1].items():
                held[k] += v
            continue
        in_block = False
        out.append(p)
    return out, dropped, held
