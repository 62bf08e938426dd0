"""Issue 8: the hostile corpus through the whole flow. Every page accounted with a clear
reason, nothing read from outside the input, nothing fetched, no PII or formula released."""
import csv
import hashlib
import http.server
import ipaddress
import json
import socket
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hostile_corpus import ARTICLE, PII_VALUES, REJECTED_ANY, SECRET, build
from pipeline.publish.csv_export import FORMULA_START
from pipeline.normalize.pii import redact_text

LIMITS = {"DGN_MAX_PAGE_BYTES": "1250000", "DGN_MAX_ARCHIVE_BYTES": "10000000"}  # the deep page is 1.1 MB


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"<!ENTITY x '{SECRET}'>".encode())

    def log_message(self, *args):
        pass


def _loopback(host) -> bool:
    if host in (None, "localhost", b"localhost"):
        return True
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, prefect_harness):
    """The corpus run once through ``pipeline.flows.run`` with every connection watched: a local
    server counts requests for the corpus's references, and any connection or name lookup
    other than loopback (the Prefect test server) is refused and recorded."""
    from pipeline.flows import run

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    corpus = build(tmp_path_factory.mktemp("hostile"), http_base=f"http://127.0.0.1:{server.server_port}/")
    out = tmp_path_factory.mktemp("hostile-out")
    outbound: list[str] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            outbound.append(f"connect {address}")
            raise OSError("network access refused by the test")
        return real_connect(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            outbound.append(f"lookup {host}")
            raise socket.gaierror("name lookup refused by the test")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        for k, v in LIMITS.items():
            mp.setenv(k, v)
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket, "getaddrinfo", getaddrinfo)
        summary = run([str(corpus.input)], out, workers=1)
    server.shutdown()
    rel = Path(summary.release)
    rejected = pq.read_table(rel / "rejected.parquet").to_pylist()
    articles = pq.read_table(rel / "data" / "articles.parquet").to_pylist()
    return corpus, summary, rel, rejected, articles, list(_Counter.hits), outbound


def test_no_crash_and_every_page_accounted(hostile_run):
    corpus, summary, rel, rejected, articles, _, _ = hostile_run
    pages = [r for r in rejected if r["table"] in (None, "articles")]
    assert summary.pages_in == summary.articles + summary.duplicates + sum(summary.rejected.values())
    assert summary.pages_in == len(articles) + len(pages)
    manifest = json.loads((rel / "manifest.json").read_text())
    assert manifest["run"]["pages_in"] == summary.pages_in
    files = sum(len(c.files) for c in corpus.cases)
    assert summary.pages_in >= files, "a file with pages must give at least one"
    assert len(articles) == 5, [a["title"] for a in articles]


def _outcomes(corpus, rel_file: str, rejected: list[dict], articles: list[dict]) -> list[str]:
    """What became of each page of one corpus file: its rejected reasons, or ARTICLE."""
    path = redact_text(str(corpus.input / rel_file))  # a path that holds PII is released redacted
    got = [r["reason"] for r in rejected if r["path"] == path or (r["path"] or "").startswith(path + "#")]
    p = corpus.input / rel_file
    if not got and p.is_file() and not p.is_symlink():
        pid = hashlib.sha256(p.read_bytes()).hexdigest()
        got = [ARTICLE for a in articles if a["page_id"] == pid]
    return got


def test_each_hostile_page_has_its_reason(hostile_run):
    corpus, _, _, rejected, articles, _, _ = hostile_run
    wrong = {}
    for case in corpus.cases:
        for f in case.files:
            got = _outcomes(corpus, f, rejected, articles)
            ok_any = REJECTED_ANY in case.must | case.allowed
            allowed = case.must | case.allowed
            fine = bool(got) and all(g in allowed or (ok_any and g != ARTICLE) for g in got) and any(
                g in case.must or (REJECTED_ANY in case.must and g != ARTICLE) for g in got)
            if not fine:
                wrong[f"{case.name}: {f!r}"] = got
    assert not wrong, wrong


def test_rejected_rows_say_why(hostile_run):
    _, _, _, rejected, _, _, _ = hostile_run
    for r in rejected:
        assert r["reason"] and r["stage"], r
        if r["reason"] in ("too_large", "corrupt_archive", "unreadable", "too_deep", "paragraph_too_long",
                           "bad_jsonl_record", "not_a_file", "no_records"):
            assert r["detail"], r


def test_nothing_from_outside_the_input_reaches_the_release(hostile_run):
    """Symlinks, file:// entities and the served entity: neither the secret nor /etc/passwd."""
    corpus, _, rel, _, _, _, _ = hostile_run
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    out = rel.parent.parent
    for p in out.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            assert SECRET.encode() not in data, p
            assert passwd.encode() not in data, p
            assert b"lollollol" not in data, p  # no entity was expanded either


def test_nothing_fetched(hostile_run):
    _, _, _, _, articles, hits, outbound = hostile_run
    assert hits == [] and outbound == []


def test_no_pii_in_released_tables(hostile_run):
    corpus, _, rel, _, articles, _, _ = hostile_run
    pii_page = hashlib.sha256((corpus.input / "pii" / "contacts.html").read_bytes()).hexdigest()
    (art,) = [a for a in articles if a["page_id"] == pii_page]
    assert "[身份证号]" in art["body"] and "[QQ]" in art["body"]  # a crafted line was released, redacted
    for f in [*(p for p in (rel / "data").rglob("*.parquet") if p.is_file()), rel / "rejected.parquet"]:
        text = json.dumps(pq.read_table(f).to_pylist(), ensure_ascii=False, default=str)
        for v in PII_VALUES:
            assert v not in text, (f.name, v)
    texts = [*(p for p in (rel / "csv").rglob("*.csv") if p.is_file()), rel / "README.md", rel / "manifest.json", rel / "datapackage.json",
             *(rel / "validation").rglob("*.html"), *(rel / "validation").rglob("*.json"),
             rel / "report.html", rel / "CITATION.cff", *(rel / "charts").glob("*.svg")]
    for f in texts:
        text = f.read_text("utf-8-sig")
        for v in PII_VALUES:
            assert v not in text, (f.name, v)


def _number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def test_no_formula_in_released_csv(hostile_run):
    _, _, rel, _, _, _, _ = hostile_run
    neutralised = 0
    for f in (p for p in (rel / "csv").rglob("*.csv") if p.is_file()):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(FORMULA_START) or _number(cell), (f.name, cell[:40])
                    neutralised += cell.startswith("'") and cell[1:].startswith(FORMULA_START)
    assert neutralised, "the crafted title and paragraphs start with formulas; some cell must"
