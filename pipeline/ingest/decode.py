"""Bytes to text without mojibake.

Order of trust: BOM, the caller's declared charset, the page's <meta charset> (each only if it
decodes cleanly), UTF-8, then the GB family/Big5 by strict trial, then charset-normalizer.
GB2312/GBK are read as GB18030 (their superset) and Big5 as Big5-HKSCS, so a page that uses
one extended character is not lost. A result that is still mojibake (GBK bytes once read as
Latin-1 and saved as UTF-8) is repaired.
"""
from __future__ import annotations

import re
import threading

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)
_XML = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "cp936": "gb18030", "ms936": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
            "big5": "big5hkscs", "big-5": "big5hkscs", "cp950": "big5hkscs", "x-big5": "big5hkscs",
            "utf8": "utf-8", "unicode": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252",
            "latin-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NON_ASCII = re.compile(rb"[^\x00-\x7f]+")
_LOST_RUN = re.compile("\ufffd{2,}")  # the bytes of one lost character
_LATIN_HIGH = re.compile(r"[\u00a0-\u00ff]")


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Counting by bytes.translate instead of a regex match a character (a match costs ~0.1 us):
# a BMP character's UTF-16 unit has its high byte in 4E-9F exactly when it is in U+4E00-U+9FFF;
# Latin-1 keeps the characters up to U+00FF, of which A0-FF are the _LATIN_HIGH ones.
_CJK_HIGH_BYTES = bytes(range(0x4E, 0xA0))
_LATIN_HIGH_BYTES = bytes(range(0xA0, 0x100))
_CHUNK = 2500
# Python codecs that are no page charset: bytes-to-bytes transforms are refused by codecs'
# own flag; these text codecs decode markup into something else or always fail.
_NOT_PAGE_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode_escape", "raw_unicode_escape",
                                "utf_7", "mbcs", "oem", "cp65001", "palmos"})


def valid_utf8(s: str) -> str:
    """``s`` as valid UTF-8, for a table or a file: an undecodable byte of a file name
    (surrogate-escaped) as ``\\xNN``, any other lone surrogate (a JSON escape such as
    \\ud800) as U+FFFD."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return _SURROGATE.sub(_surrogate, s)


def _surrogate(m: re.Match) -> str:
    code = ord(m.group(0))
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def _norm(name: str) -> str:
    name = name.lower().strip().strip("\"'")
    return _ALIASES.get(name, name)


def page_charset(name: str | None) -> str | None:
    """The codec for a charset a page or a header declares, or None when Python has none or
    it is no text encoding for pages (``hex``, ``zlib``, ``idna``, ``undefined`` …)."""
    if not name:
        return None
    import codecs

    enc = _norm(name)
    try:
        info = codecs.lookup(enc)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name.replace("-", "_") in _NOT_PAGE_CHARSETS:
        return None
    return enc


def declared_charsets(raw: bytes) -> list[str]:
    head = raw[:4096]
    found = (page_charset(m.group(1).decode("ascii", "ignore")) for m in (*_XML.finditer(head), *_META.finditer(head)))
    return [enc for enc in found if enc]


def _strict(raw: bytes, enc: str) -> str | None:
    try:
        return raw.decode(enc)
    except (UnicodeError, LookupError):
        return None


def cjk_count(text: str) -> int:
    """How many characters of ``text`` are in U+4E00-U+9FFF (``len(_CJK.findall(text))``)."""
    high = text.encode("utf-16-le", "surrogatepass")[1::2]
    return len(high) - len(high.translate(None, _CJK_HIGH_BYTES))


def latin_high_count(text: str) -> int:
    """How many characters of ``text`` are in U+00A0-U+00FF (``len(_LATIN_HIGH.findall(text))``)."""
    low = text.encode("latin-1", "ignore")
    return len(low) - len(low.translate(None, _LATIN_HIGH_BYTES))


def common_reaches(sample: str, enough) -> bool:
    """``enough(n)`` for n the common hanzi of ``sample``, ``enough`` growing with n: counted a
    chunk at a time and answered True as soon as the count so far is enough (prose gets there
    about halfway)."""
    n = 0
    for i in range(0, len(sample), _CHUNK):
        n += len(_COMMON_RE.findall(sample, i, i + _CHUNK))
        if enough(n):
            return True
    return enough(n)


def looks_mojibake(text: str) -> bool:
    """Many Latin-1 letters and almost no CJK: double-decoded Chinese."""
    sample = text[:20000]
    high = latin_high_count(sample)
    return high > 50 and cjk_count(sample) < high / 10


def common_share(text: str) -> float:
    """Share of the CJK characters of ``text`` that are among the most common hanzi: about
    0.6-0.8 for Chinese prose, under 0.3 for mojibake made of CJK characters."""
    sample = text[:20000]
    cjk = cjk_count(sample)
    return len(_COMMON_RE.findall(sample)) / cjk if cjk else 0.0


def repair_mojibake(text: str) -> str | None:
    """Undo one wrong decode, or None when it does not undo: UTF-8 read as Latin-1/cp1252
    (ftfy's ``fix_encoding``), GB or Big5 bytes read as Latin-1/cp1252, and UTF-8 read as
    GBK and saved again (``鏁板瓧`` for ``数字``), which ftfy does not cover."""
    if looks_mojibake(text):
        import ftfy

        fixed = ftfy.fix_encoding(text)
        if fixed != text and cjk_count(fixed[:20000]) > 20:
            return fixed
        for wrong in ("latin-1", "cp1252"):
            try:
                raw = text.encode(wrong)
            except UnicodeEncodeError:
                continue
            for right in ("gb18030", "big5hkscs"):
                fixed = _strict(raw, right)
                if fixed is not None and cjk_count(fixed[:20000]) > 20:
                    return fixed
        return None
    sample = text[:20000]
    cjk = cjk_count(sample)
    if cjk < 20 or common_reaches(sample, lambda n: n / cjk >= 0.35):
        return None
    # A character the wrong decode already lost stays one replacement character.
    fixed = text.replace("\ufffd", "\x00").encode("gb18030").decode("utf-8", "replace").replace("\x00", "\ufffd")
    fixed = _LOST_RUN.sub("\ufffd", fixed)
    cjk = len(_CJK.findall(fixed[:20000]))
    if cjk >= 10 and common_share(fixed) >= 0.5 and fixed.count("\ufffd") <= max(2, cjk // 4):
        return fixed
    return None


_GB_PAIRS = re.compile(rb"(?:[\x81-\xfe][\x40-\x7e\x80-\xfe])+")


def decode_mixed(raw: bytes) -> tuple[str, int]:
    """UTF-8 with runs of GBK (a page put together from parts in both encodings): each run of
    GBK byte pairs where UTF-8 fails is read as GB18030. Returns the text and the bytes read
    as GBK."""
    out, i, gb = [], 0, 0
    while i < len(raw):
        try:
            out.append(raw[i:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            j = i + e.start
            out.append(raw[i:j].decode("utf-8"))
            m = _GB_PAIRS.match(raw, j)
            if m is None:
                out.append("\ufffd")
                i = j + 1
                continue
            out.append(m.group(0).decode("gb18030", "replace"))
            gb += m.end() - j
            i = m.end()
    return "".join(out), gb


def decode_bytes(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Never silently lossy: a lossy fallback is named '<enc>+replace'
    (``is_lossy`` says so), a repaired one '<enc>+mojibake-repaired'."""
    text, enc = _decode(raw, declared)
    # A strict GB18030 read passed _plausible_gb (common share >= 0.5), so only the Latin-1
    # kind of mojibake can still be there.
    fixed = repair_mojibake(text) if enc != "gb18030" or looks_mojibake(text) else None
    if fixed is not None:
        return fixed, enc + "+mojibake-repaired"
    if enc == "utf-8" and not raw.startswith(b"\xef\xbb\xbf"):
        _last.pair = (text, raw)
    return text, enc


_last = threading.local()  # (text, the bytes it was strictly decoded from as UTF-8), a thread


def utf8_of(text: str) -> bytes:
    """``text.encode("utf-8")``: the page's own bytes when ``text`` is the text decode_bytes
    last read from them as strict UTF-8 (the same bytes, since UTF-8 maps both ways one to
    one), so that the parser, which reads UTF-8, gets a page without encoding it once more.
    Raises UnicodeEncodeError as encode does (a lone surrogate)."""
    pair = getattr(_last, "pair", None)
    if pair is not None and pair[0] is text:
        return pair[1]
    return text.encode("utf-8")


def is_lossy(text: str, encoding: str) -> bool:
    """Characters were lost in decoding (replacement characters)."""
    return encoding.endswith("+replace") or "\ufffd" in text


def _decode(raw: bytes, declared: str | None) -> tuple[str, str]:
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(enc, "replace"), enc
    declared = page_charset(declared)
    candidates = ([declared] if declared else []) + declared_charsets(raw) + ["utf-8", "gb18030", "big5hkscs"]
    seen = set()
    for enc in candidates:
        if enc in seen:
            continue
        seen.add(enc)
        text = _strict(raw, enc)
        if text is not None and (enc != "gb18030" or _plausible_gb(text)):
            return text, enc
        if enc == "utf-8" and text is None:
            mixed, gb = decode_mixed(raw)
            high = sum(map(len, _NON_ASCII.findall(raw)))
            if gb and gb * 2 < high and common_share(mixed) >= 0.5 and mixed.count("\ufffd") <= 3:
                return mixed, "utf-8+gb18030"
    stated = ([declared] if declared else []) + declared_charsets(raw)
    for enc in dict.fromkeys(stated + ["gb18030", "big5hkscs"]):
        text = raw.decode(enc, "replace")
        if (text is not None and text.count("\ufffd") <= max(3, len(text) // 1000)
                and (enc in stated or enc != "gb18030" or _plausible_gb(text))):
            return text, enc + "+replace"
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    enc = (page_charset(best.encoding) if best else None) or "gb18030"
    return raw.decode(enc, "replace"), enc + "+replace"


def _plausible_gb(text: str) -> bool:
    """GB18030 decodes almost any bytes; Big5 text read as GB shows few common hanzi."""
    sample = text[:20000]
    cjk = cjk_count(sample)
    if cjk < 20:
        return True
    return common_reaches(sample, lambda n: n >= cjk * 0.5)


_COMMON = frozenset("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞")
# The common hanzi as one character class: counted by the regex engine, not a Python loop.
_COMMON_RE = re.compile("[" + "".join(sorted(_COMMON)) + "]")
