"""A folder of hostile raw pages (issue 8), plus five good ones so that a release is not empty.

    python tests/hostile_corpus.py OUT_DIR [--big]

writes ``OUT_DIR/in`` (the input folder, give it to `dgn run`) and ``OUT_DIR/outside`` (what
the symlinks and entities point at, which must never reach a release), and prints the cases.
``--big`` adds the 50 MB page. Tests import ``build``.

Unreadable files: tests run as root, for whom ``chmod 000`` changes nothing, so the corpus
also holds a FIFO named like a page (reading it would block forever); the tests monkeypatch
``open`` for the permission-denied case. As another user ``locked.html`` is unreadable too.
"""
from __future__ import annotations

import gzip
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "pipeline" / "samples"
SECRET = "DGN-SECRET-7f3a9c"  # the content of the file outside the input folder
REJECTED_ANY = "<any rejection>"
ARTICLE = "<article>"


@dataclass
class Case:
    """One hostile input: its files (relative to the input folder, as discovery names them)
    and the outcomes allowed for each of its pages; ``must`` must occur at least once."""

    name: str
    files: list[str]
    must: set[str]
    allowed: set[str] = field(default_factory=set)  # beyond ``must``


@dataclass
class Corpus:
    root: Path
    input: Path
    secret_file: Path
    cases: list[Case]
    big_page_bytes: int


def seeds() -> list[list[str]]:
    """The bundled seed pages as lists of lines, in a fixed order."""
    return [p.read_text("utf-8").splitlines() for p in sorted(SAMPLES.glob("*.txt"))]


def as_html(lines: list[str], head: str = "", doctype: str = "", extra_body: str = "") -> str:
    title, *rest = [x for x in lines if x.strip()]
    paras = "\n".join(f"<p>{x}</p>" for x in rest)
    return (f"{doctype}<html><head>{head}<title>{title}</title></head><body>"
            f"<h1>{title}</h1>\n{paras}\n{extra_body}</body></html>")


def warc_record(uri: str, payload: bytes, wtype: str = "response", length: int | None = None,
                charset: str = "utf-8") -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={charset}\r\n\r\n".encode() + payload
    n = len(http) if length is None else length
    head = (f"WARC/1.0\r\nWARC-Type: {wtype}\r\nWARC-Target-URI: {uri}\r\n"
            f"WARC-Date: 2024-01-02T03:04:05Z\r\nContent-Length: {n}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def pii_lines() -> list[str]:
    """Personal data and spreadsheet formulas, each inside an ordinary sentence."""
    return [
        "=HYPERLINK(\"http://evil.example/\",\"点击\")数字政府建设成效显著。",
        "+1+1 政务服务一网通办持续推进。",
        "-2+3 数据要素市场化配置改革深入开展。",
        "@SUM(A1:A9) 政务云平台支撑能力不断增强。",
        "\t=1+2 数字政府标准体系逐步完善。",
        "市民可拨打13812345678或010-66668888咨询，也可发邮件至zhang.san@example.com。",
        "据悉，申请人王某（手机13812345678，座机010-66668888）已通过一网通办完成申报，并收到zhang.san@example.com发出的回执。",
        "据了解，身份证号11010519491231002X的申请人已完成网上办理，QQ:123456789群同步答疑。",
        "报名材料可发至li.si＠example.org或wang.wu [at] example.net，两个邮箱均可受理政务服务咨询。",
        "线上答疑另设QQ群号：87654321，工作人员QQ/微信：76543210，一网通办平台同步受理。",
        "经办人手机139.8765.4321，座机029 6002 1109，身份证号110105 19491231 002X已完成实名核验。",
    ]


PII_VALUES = ("13812345678", "66668888", "zhang.san@example.com", "11010519491231002X", "123456789",
              "li.si＠example.org", "wang.wu [at] example.net", "87654321", "76543210", "139.8765.4321",
              "029 6002 1109", "110105 19491231 002X", "13987654321")


def build(root: Path, big: bool = False, http_base: str = "http://127.0.0.1:9/",
          big_page_bytes: int = 1_500_000) -> Corpus:
    """Write the corpus under ``root``. ``http_base``: where the external references point (a
    test serves it and counts requests). Without ``big`` the oversized page is
    ``big_page_bytes`` long (tests lower the limit below it), with ``big`` it is 50 MB."""
    root = Path(root)
    inp, outside = root / "in", root / "outside"
    inp.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text(SECRET + "\n", "utf-8")
    (outside / "private.html").write_text(f"<p>{SECRET}</p>", "utf-8")
    s = seeds()
    cases: list[Case] = []

    def put(rel: str, data: bytes | str) -> str:
        p = inp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return rel

    def case(name: str, files: list[str], must: set[str], allowed: set[str] = frozenset()) -> None:
        cases.append(Case(name, files, set(must), set(allowed)))

    # good pages (two of them carry the entity and the PII cases below)
    case("good text dumps", [put("good/seed0.txt", "\n".join(s[0])), put("good/seed1.txt", "\n".join(s[1]))],
         {ARTICLE})

    # empty and binary
    case("empty files", [put("empty.html", b""), put("blank.txt", b" \n\r\n\t ")], {"empty"})
    case("binary named .html", [put("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(3000)),
                                put("gzip-named.html", gzip.compress(b"<p>hi</p>" * 100, mtime=0))], {"binary"})

    # archives: truncated, corrupt, lying, empty
    good_lines = [json.dumps({"url": f"http://a.cn/{i}", "html": f"<p>第{i}条</p>"}, ensure_ascii=False)
                  for i in range(3)]
    gz = gzip.compress(("\n".join(good_lines) * 50).encode(), mtime=0)
    case("truncated .jsonl.gz", [put("arch/truncated.jsonl.gz", gz[: len(gz) // 2])], {"corrupt_archive"},
         {REJECTED_ANY})
    case("corrupt .jsonl.gz", [put("arch/corrupt.jsonl.gz", gz[:10] + os.urandom(500))], {"corrupt_archive"})
    case("not gzip .warc.gz", [put("arch/plain.warc.gz", warc_record("http://a.cn/p", b"<p>x</p>"))],
         {"corrupt_archive"})
    w = gzip.compress(warc_record("http://a.cn/t", as_html(["标题", "正文" * 500]).encode()), mtime=0)
    case("truncated .warc.gz", [put("arch/truncated.warc.gz", w[: len(w) // 2])], {"corrupt_archive"})
    case("not a WARC", [put("arch/garbage.warc", b"hello, I am not an archive\n")], {"corrupt_archive"})
    case("negative Content-Length", [put("arch/negative.warc", warc_record("http://a.cn/n", b"<p>x</p>", length=-5))],
         {"corrupt_archive"})
    case("lying Content-Length", [put("arch/lying.warc", warc_record("http://a.cn/l", b"<p>x</p>", length=10**12))],
         {"corrupt_archive", "too_large"})
    case("WARC without responses", [put("arch/requests.warc", warc_record("http://a.cn/r", b"", "request"))],
         {"no_records"})
    case("empty archives", [put("arch/empty.jsonl", b""), put("arch/empty.warc.gz", gzip.compress(b"", mtime=0))],
         {"no_records"})
    case("JSONL with broken lines", [put("arch/broken.jsonl", "\n".join([
        "{broken", "[1, 2]", json.dumps({"url": "http://a.cn/x"}), json.dumps({"html": 5}), "\x00\x01",
        json.dumps({"url": "http://a.cn/ok", "html": "<p>好</p>"})]))], {"bad_jsonl_record"}, {REJECTED_ANY})
    not_found = warc_record("http://a.cn/gone", b"<p>" + "\u5df2\u5220\u9664".encode() + b"</p>").replace(
        b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found")
    case("WARC 404 response", [put("arch/notfound.warc", not_found)], {"http_status"})
    case("JSONL nested 100,000 deep", [put("arch/deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n"
                                          + "{\"html\": " * 50_000 + "1" + "}" * 50_000)], {"bad_jsonl_record"})
    case("lone surrogates in JSONL", [put("arch/surrogate.jsonl", "\n".join([
        '{"url": "http://a.cn/\\ud800", "fetched_at": "2024-01-02\\udfff", "html": "<p>\\ud800\u77ed</p>"}',
        '{"url": "http://a.cn/s", "text": "\\udc80"}']))], {REJECTED_ANY})
    odd_codecs = ("hex", "idna", "undefined", "punycode", "zlib", "base64", "rot13", "utf-7")
    case("pages declaring non-text codecs",
         [put(f"enc/codec-{c}.html", f'<html><head><meta charset="{c}"></head><body><p>'.encode()
              + "\u77ed\u6587".encode("gbk") + b"\x80\xff</p></body></html>") for c in odd_codecs]
         + [put("arch/codecs.warc", b"".join(warc_record(f"http://a.cn/{c}", b"<p>\xb6\xcc\x80\xff</p>", charset=c)
                                             for c in odd_codecs))], {REJECTED_ANY})
    case("gzip bomb", [put("arch/bomb.jsonl.gz", gzip.compress(b" " * 30_000_000, mtime=0))], {"too_large"})
    case("oversized WARC record", [put("arch/big-record.warc", warc_record("http://a.cn/b", b"<p>" + b"x" * big_page_bytes))],
         {"too_large"})
    case("oversized JSONL line", [put("arch/big-line.jsonl", json.dumps({"html": "x" * big_page_bytes}))], {"too_large"})

    # encodings: decoded right (then an article), or rejected; never a crash
    gbk = as_html(s[2], head='<meta charset="utf-8">').encode("gb18030")
    case("GBK page declaring UTF-8", [put("enc/gbk-says-utf8.html", gbk)], {ARTICLE})
    mixed = ("<html><body><p>数字政府建设（UTF-8）</p>".encode() + "<p>政务服务一网通办（GBK）</p>".encode("gbk")
             + "<p>數位政府（Big5）</p></body></html>".encode("big5"))
    case("mixed encodings", [put("enc/mixed.html", mixed)], {REJECTED_ANY})
    case("UTF-16 without BOM", [put("enc/utf16.html", "<p>数字政府</p>".encode("utf-16-le"))], {"binary"})
    case("double-decoded UTF-8", [put("enc/mojibake.html", "<p>数字政府建设</p>".encode().decode("latin-1").encode())],
         {REJECTED_ANY})

    # size and shape
    big_bytes = 50_000_000 if big else big_page_bytes
    for d in ("size", "links", "special"):
        (inp / d).mkdir(exist_ok=True)
    with open(inp / "size" / "big.html", "wb") as fh:
        fh.write(b"<html><body>")
        chunk = "<p>数字政府建设持续推进。</p>\n".encode() * 1000
        while fh.tell() < big_bytes:
            fh.write(chunk)
    case("oversized page", ["size/big.html"], {"too_large"})
    line = "数字政府建设持续推进，一网通办让群众办事更方便" * 3000  # 69,000 characters
    case("one giant line", [put("size/giant-line.txt", line), put("size/giant-line.html", f"<html><body><p>{line}</p></body></html>")],
         {"paragraph_too_long"})
    deep = "<html><body>" + "<div>" * 100_000 + "数字政府" + "</div>" * 100_000 + "</body></html>"
    case("100,000 levels of nesting", [put("size/deep.html", deep)], {"too_deep"})

    attrs = "<html><body><div " + " ".join(f"a{i}" for i in range(150_000)) + "><p>数字政府</p></div></body></html>"
    case("150,000 attributes on one element", [put("size/attributes.html", attrs)], {"too_complex"})

    # entities and external references: never resolved, never fetched
    laughs = "".join(f'<!ENTITY l{i} "{"".join(f"&l{i - 1};" for _ in range(10))}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY l0 "lol">{laughs}]><html><body><p>&l9;</p></body></html>'
    case("billion laughs", [put("ent/laughs.html", bomb)], {REJECTED_ANY})
    xxe_doctype = (f'<!DOCTYPE html [<!ENTITY passwd SYSTEM "file:///etc/passwd">'
                   f'<!ENTITY secret SYSTEM "file://{secret}"><!ENTITY remote SYSTEM "{http_base}entity">'
                   f'<!ENTITY % dtd SYSTEM "{http_base}param.dtd"> %dtd;]>')
    refs = (f'<img src="{http_base}img.png"><script src="{http_base}app.js"></script>'
            f'<iframe src="{http_base}frame"></iframe><link rel="stylesheet" href="{http_base}s.css">'
            f'<style>@import url("{http_base}import.css");</style><img src="http://dgn-no-fetch.invalid/x.png">'
            f'<p>&passwd; &secret; &remote;</p>')
    xxe = as_html(s[3], doctype=xxe_doctype, extra_body=refs)
    xhtml = (f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
             f'"{http_base}xhtml1-strict.dtd"><html xmlns="http://www.w3.org/1999/xhtml"><body>'
             f'<p>&secret; 短</p></body></html>')
    case("external entities and resources", [put("ent/xxe.html", xxe)], {ARTICLE})
    case("XHTML with an external DTD", [put("ent/xhtml.html", xhtml)], {REJECTED_ANY})

    # personal data and formulas in an article that is kept
    pii = as_html(["=" + s[4][0]] + pii_lines() + s[4][1:])
    case("PII and formulas", [put("pii/contacts.html", pii)], {ARTICLE})
    case("PII in a url, a path and a source", [
        put("pii/urls.jsonl", json.dumps({"url": "http://a.cn/form?tel=13987654321&mail=zhang.san@example.com",
                                          "html": "<p>\u77ed</p>"})),
        put("pii/13987654321.html", "<p>\u77ed</p>"),
        put("pii/source.txt", "\n".join([s[0][0], "来源：政务服务中心（咨询13987654321）", *s[0][1:]]))],
        {REJECTED_ANY}, {ARTICLE})

    # odd names
    names = ["odd/with space.html", "odd/数字政府 报道.html", "odd/new\nline.html", "odd/=cmd|' \"x.html"]
    case("odd names", [put(n, "<p>短</p>") for n in names], {REJECTED_ANY})
    raw_name = os.fsencode(inp / "odd") + b"/bad\xff.html"
    with open(raw_name, "wb") as fh:
        fh.write(b"<p>x</p>")
    case("undecodable name", ["odd/bad\\xff.html"], {REJECTED_ANY})

    # links and special files
    os.symlink("/etc/passwd", inp / "links" / "passwd.html")
    os.symlink(secret, inp / "links" / "secret.txt")
    os.symlink(outside, inp / "links" / "outside-dir")
    os.symlink("loop2.html", inp / "links" / "loop1.html")
    os.symlink("loop1.html", inp / "links" / "loop2.html")
    os.symlink("missing.html", inp / "links" / "dangling.html")
    case("links outside the input", ["links/passwd.html", "links/secret.txt", "links/outside-dir"],
         {"link_outside_input"})
    case("broken links", ["links/loop1.html", "links/loop2.html", "links/dangling.html"], {"unreadable"})
    os.mkfifo(inp / "special" / "fifo.html")
    case("FIFO named .html", ["special/fifo.html"], {"not_a_file"})
    put("special/dir.html/inner.txt", "目录名像网页")
    case("folder named .html", ["special/dir.html/inner.txt"], {REJECTED_ANY})
    locked = put("special/locked.html", "<p>锁</p>")
    os.chmod(inp / locked, 0)
    case("chmod 000", [locked], {"unreadable"} if os.geteuid() != 0 else {REJECTED_ANY})
    return Corpus(root, inp, secret, cases, big_bytes)


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    c = build(Path(argv[0]), big="--big" in argv)
    for k in c.cases:
        print(f"{k.name:34} {len(k.files):2} file(s)  expect {sorted(k.must)}")
    print(f"{sum(len(k.files) for k in c.cases)} files in {c.input}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
