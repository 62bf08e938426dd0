"""The Data Docs open in a real browser, offline, and show every suite (headless Chromium)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, good_tables
from pipeline.publish.release import publish_release
from pipeline.tables import RELEASED

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian package `chromium`)")
def test_data_docs_render_the_suites(tmp_path):
    result = publish_release(good_tables(), PAGE_REJECTS, RUN_INFO, tmp_path / "out", now=NOW)
    index = (result.path / "validation" / "index.html").resolve()

    dom = _chromium(tmp_path, "--dump-dom", index.as_uri()).stdout
    assert "DGN validation: passed" in dom
    for name in RELEASED:
        assert f'href="expectations/{name}.html"' in dom
        assert f"validations/{name}/input/" in dom

    shot, blank = tmp_path / "docs.png", tmp_path / "blank.png"
    (tmp_path / "blank.html").write_text("<html><body></body></html>")
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1200", index.as_uri())
    _chromium(tmp_path, f"--screenshot={blank}", "--window-size=1280,1200", (tmp_path / "blank.html").as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 5 * blank.stat().st_size

    page = next((result.path / "validation" / "validations" / "articles" / "input").rglob("*.html")).resolve()
    text = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert "Expectation Validation Result" in text and "published_at" in text


PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">米乐m6体育官网"


def _hostile_release(tmp_path):
    tables = good_tables()
    tables["articles"][0] = {**tables["articles"][0], "source": PAYLOAD, "title": PAYLOAD}
    return publish_release(tables, PAGE_REJECTS, RUN_INFO, tmp_path / "out", now=NOW)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian package `chromium`)")
def test_a_failing_value_is_shown_as_text_and_runs_nothing(tmp_path):
    """Issue 14, item 4: a row whose value is markup fails an expectation; its report page shows
    the markup as text, and a handler planted raw after the fact is refused by the page's CSP."""
    result = _hostile_release(tmp_path)
    pages = list((result.path / "validation").rglob("*.html"))
    shown = [p for p in pages if "data-pwned" in p.read_text("utf-8")]
    assert shown, "the failing value should be in the report"
    for page in shown:
        dom = _chromium(tmp_path, "--dump-dom", page.resolve().as_uri()).stdout
        assert "data-pwned=\"1\"" not in dom and "onerror=" in dom  # as text
    planted = tmp_path / "planted.html"
    planted.write_text(shown[0].read_text("utf-8").replace("<body>", "<body>" + PAYLOAD, 1), "utf-8")
    dom = _chromium(tmp_path, "--dump-dom", planted.resolve().as_uri()).stdout
    assert "<img src=\"x\"" in dom and "data-pwned=\"1\"" not in dom
