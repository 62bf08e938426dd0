"""Issue 15: the validation report works with no network. GX's Data Docs take Bootstrap,
bootstrap-table, jQuery and Font Awesome from CDNs; the release ships them and the pages load
them from the folder. Checked in headless Chromium with every host name unresolvable and a dead
proxy, over the DevTools protocol (``--remote-debugging-pipe``) so that the test can click
"Failed Only" and ask the page what it shows."""
from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, article, good_tables
from pipeline.publish.release import ValidationBlocked, publish_release
from pipeline.validate.docs import ASSETS, _stable, asset_map, localize_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=127.0.0.1:9"]
ASSET_REF = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["']https?://|url\(["']?https?://""", re.I)
CDN_SCRIPT = "https://code.jquery.com/jquery-3.7.1.min.js"
FONT_LOADED = "document.fonts.load('900 16px \"Font Awesome 6 Free\"', '\\uf058').then(f => f.map(x => x.status))"


# --- the rewrite itself (fast) -------------------------------------------------------------

PAGE = """<head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<style>.a { background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png') }</style>
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" integrity="sha384-x" crossorigin="anonymous"></script>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=20260101T000000Z">
<a href="https://greatexpectations.io">a link stays a link</a>
</head>"""


def test_every_asset_url_becomes_a_relative_path_and_the_result_is_stable():
    out = localize_text(PAGE, asset_map(), "../..")
    assert not ASSET_REF.search(out)
    assert '<link rel="stylesheet" href="../../static/vendor/bootstrap-4.3.1/css/bootstrap.min.css"/>' in out
    assert "url('../../static/images/logo-long.png')" in out
    assert '<script src="../../static/vendor/bootstrap-4.3.1/js/bootstrap.min.js"></script>' in out
    assert '<img src="../../static/images/logo-long.png">' in out  # no time stamp in the query
    assert "vega" not in out and 'href="https://greatexpectations.io"' in out
    assert localize_text(PAGE, asset_map(), "../..") == out
    assert localize_text(PAGE, asset_map(), ".").count('"static/vendor/') == 2


def test_what_gx_makes_up_at_render_time_is_made_from_the_run():
    page = ('<a href="#s-collapse-body-147d0825-9c31-4149-bf29-2201d06d8f9f">a</a>'
            '<div id=s-collapse-body-147d0825-9c31-4149-bf29-2201d06d8f9f></div>'
            '<div id=t-collapse-body-fbe26e54-554b-4afc-b588-d30c1fc9f3dc></div>'
            '<td><span >ge_load_time</span></td><td><span >20261130T104502.669983Z</span></td>'
            '<td>page 147d0825-9c31-4149-bf29-2201d06d8f9f</td>')
    out = _stable(page, "20261123T040000.000000Z")
    assert out.count("collapse-body-dgn1") == 2 and "collapse-body-dgn2" in out
    assert ">20261123T040000.000000Z</span>" in out and "20261130" not in out
    assert "page 147d0825-9c31-4149-bf29-2201d06d8f9f" in out  # a value of the data is left alone


def test_each_vendored_file_is_there_with_its_licence_and_the_pinned_bytes():
    locals_ = {v for v in asset_map().values() if v.startswith("static/vendor/")}
    for path in locals_:
        assert (ASSETS / path.removeprefix("static/vendor/")).is_file(), path
    for lib in {p.split("/")[2] for p in locals_}:
        assert any((ASSETS / lib).glob("LICENSE*")), lib
        assert lib in (ASSETS / "README.md").read_text("utf-8"), lib
    # GX pins these two by Subresource Integrity; the vendored copies are those exact bytes.
    for path, sri in [("popper.js-1.12.9/umd/popper.min.js",
                       "ApNbgh9B+Y1QKtv3Rn7W3mgPxhU9K/ScQsAP7hUibX39j7fakFPskvXusvfa0b4Q"),
                      ("bootstrap-4.3.1/js/bootstrap.min.js",
                       "JjSmVgyd0p3pXB1rRibZUAYoIIy6OrQ6VrjIEaFf/nJGzIxFDsf4x0xIM+B07jRM")]:
        assert base64.b64encode(hashlib.sha384((ASSETS / path).read_bytes()).digest()).decode() == sri


# --- a release, opened offline (slow) ------------------------------------------------------

class Browser:
    """Headless Chromium driven over the DevTools protocol on fds 3/4 (no extra package)."""

    def __init__(self, profile: Path):
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()

        def fds():  # the browser reads commands on fd 3 and answers on fd 4
            a, b = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser))
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([CHROMIUM, *OFFLINE, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                                      "about:blank"], preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self._buf, self._id, self.events = b"", 0, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call("Page.addScriptToEvaluateOnNewDocument", session=True, source=(
            "document.addEventListener('securitypolicyviolation', e => "
            "(window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"))

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: bool = False, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return reply["result"]
            self.events.append(reply)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        deadline = time.time() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            assert time.time() < deadline, "page did not load"
            self.events.append(self._read())

    def js(self, expression: str):
        r = self.call("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                      returnByValue=True)
        assert "exceptionDetails" not in r, r["exceptionDetails"]
        return r["result"].get("value")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self._in)
        os.close(self._out)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """A release whose articles fail one quarantining expectation, then a blocked run."""
    out = tmp_path_factory.mktemp("out")
    tables = good_tables()
    tables["articles"].append(article("spam", source="米乐m6体育官网"))
    release = publish_release(tables, PAGE_REJECTS, RUN_INFO, out, now=NOW).path
    tables["articles"].append(article("a1", title="编号重复"))
    with pytest.raises(ValidationBlocked):
        publish_release(tables, PAGE_REJECTS, RUN_INFO, out, now=NOW)
    (blocked,) = (out / "blocked").iterdir()
    return release / "validation", blocked


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium not installed (Debian package `chromium`)")
    b = Browser(tmp_path_factory.mktemp("profile"))
    yield b
    b.close()


@pytest.mark.slow
def test_no_page_of_a_release_or_a_blocked_run_loads_anything_from_the_network(releases):
    for folder in releases:
        pages = sorted(folder.rglob("*.html"))
        assert pages and (folder / "static" / "vendor" / "jquery-3.7.1" / "LICENSE.txt").is_file()
        for page in [*pages, *folder.rglob("*.css")]:
            text = page.read_text("utf-8")
            assert not ASSET_REF.search(text), page
            if page.suffix == ".html":
                policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
                assert "http" not in policy and "'unsafe-inline'" not in policy.split("style-src")[0]


@pytest.mark.slow
def test_the_network_is_really_off(browser, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text("<html><body>probe</body></html>")
    browser.open(probe.as_uri())
    got = browser.js(f"fetch('{CDN_SCRIPT}', {{mode: 'no-cors'}}).then(() => 'loaded', () => 'failed')")
    assert got == "failed"


@pytest.mark.slow
def test_status_icons_and_the_failed_only_filter_work_offline(releases, browser):
    page = next((releases[0] / "validations" / "articles" / "input").rglob("*.html"))
    browser.open(page.resolve().as_uri())
    assert browser.js("typeof jQuery === 'function' && typeof jQuery.fn.bootstrapTable === 'function'")
    assert browser.js("document.querySelectorAll('div.bootstrap-table table[data-toggle=table]').length") > 0
    assert browser.js("document.querySelectorAll('i.fas.fa-check-circle').length") > 0
    assert browser.js("document.querySelectorAll('i.fas.fa-times').length") > 0
    assert browser.js(FONT_LOADED) == ["loaded"]

    visible = ("[...document.querySelectorAll('td.hide-succeeded-validation-target-child')]"
               ".filter(e => e.offsetParent !== null).length")
    failed = "[...document.querySelectorAll('td i.fas.fa-times')].filter(e => e.offsetParent !== null).length"
    shown_before, failed_before = browser.js(visible), browser.js(failed)
    assert shown_before > 0 and failed_before > 0
    browser.js("document.querySelector('label[onclick=\"hideSucceededValidations()\"]').click()")
    browser.js("new Promise(r => setTimeout(r, 1500))")
    assert browser.js(visible) == 0
    assert browser.js(failed) == failed_before
    browser.js("document.querySelector('label[onclick=\"showAllValidations()\"]').click()")
    browser.js("new Promise(r => setTimeout(r, 1500))")
    assert browser.js(visible) == shown_before
    assert browser.js("window.__csp || []") == []


@pytest.mark.slow
def test_the_index_and_a_blocked_run_render_their_tables_offline(releases, browser):
    for index in (releases[0] / "index.html", releases[1] / "index.html"):
        browser.open(index.resolve().as_uri())
        rows = browser.js("document.querySelectorAll('div.bootstrap-table tbody tr').length")
        assert rows > 0, index
        assert browser.js("document.querySelectorAll('div.bootstrap-table td i.fas').length") > 0, index
        assert browser.js(FONT_LOADED) == ["loaded"]
        assert browser.js("window.__csp || []") == []
