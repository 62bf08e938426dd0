"""PII redaction: phone numbers, e-mail addresses, ID numbers and QQ numbers in released text.

Public officials named in the news are not PII; contact details are. Each kind is replaced
by a bracketed tag so a reader sees that something was there, and counted for the manifest.
Contact blocks (``联系人:`` and the lines of names, numbers and addresses under it) are
dropped whole, because a name beside a phone number is personal data even after the number
is masked.
"""
from __future__ import annotations

import re

KINDS = ("phone", "email", "id_number", "qq")
TAGS = {"phone": "[电话]", "email": "[邮箱]", "id_number": "[身份证号]", "qq": "[QQ]"}

_HAS_DIGIT = re.compile(r"[0-9@]")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_QQ = re.compile(r"(?i)(QQ\s*(?:号码?|群)?\s*[:：]?\s*)([1-9]\d{4,10})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d.])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![\d.])")
_LANDLINE = re.compile(
    r"(?<![\d.])(?:[(（]0\d{2,3}[)）]\s*|0\d{2,3}[\s-])\d{7,8}(?:-\d{1,5})?(?![\d.])"
    r"|(?<![\d.])[48]00[\s-]?\d{3}[\s-]?\d{4}(?![\d.])"
)
_CONTACT_START = re.compile(
    r"^\s*(?:联\s*系\s*人|联系方式|联系电话|咨询电话|服务热线|联系邮箱|投稿邮箱|媒体联系|商务合作|"
    r"电\s*话|手\s*机|传\s*真|邮\s*箱|E-?mail|地\s*址|邮\s*编)\s*[:：]?",
    re.I,
)


def redact(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with PII replaced by tags, and the count of each kind replaced."""
    counts = dict.fromkeys(KINDS, 0)
    if not text or not _HAS_DIGIT.search(text):
        return text, counts

    def sub(kind: str, pat: re.Pattern, s: str, group: int = 0) -> str:
        def repl(m: re.Match) -> str:
            counts[kind] += 1
            if group:
                return m.group(1) + TAGS[kind]
            return TAGS[kind]

        return pat.sub(repl, s)

    text = sub("email", _EMAIL, text)
    text = sub("qq", _QQ, text, group=1)
    text = sub("id_number", _ID, text)
    text = sub("phone", _MOBILE, text)
    text = sub("phone", _LANDLINE, text)
    return text, counts


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
