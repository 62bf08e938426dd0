"""The Data Docs open in a real browser, offline, and show every suite (headless Chromium)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dgn_rows import NOW, PAGE_REJECTS, RUN_INFO, good_tables
from pipeline.release import publish_release
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
