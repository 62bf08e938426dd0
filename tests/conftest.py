import gc
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
BENCH = SHARED / "bench"
SERVER_STARTUP_SECONDS = 300


_modules_frozen = 0


def _freeze_what_is_loaded() -> None:
    """Keep what is loaded out of the cyclic collector's sight: a test process holds every
    module the suite has imported (Prefect, Great Expectations, pandas, pyarrow), and each
    collector pass walked all of it (a third of a Great Expectations test's CPU, 16 of 50 s
    of ``test_incremental.py``). After each import of new modules: a full collection, then
    ``gc.freeze`` of what is alive. Thresholds stay the default (memory tests unaffected);
    the last freeze is undone first so that what it held can still be collected."""
    global _modules_frozen
    if len(sys.modules) != _modules_frozen or not gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _modules_frozen = len(sys.modules)


def pytest_runtest_setup(item):
    _freeze_what_is_loaded()


def pytest_runtest_call(item):
    _freeze_what_is_loaded()  # after the fixtures, which may have imported more


class SessionServer:
    """One Prefect API server (uvicorn on SQLite in a temp folder, no UI) for the whole session.

    Started through ``pipeline.run.server_guard`` so that it ends with the test process even
    when that is killed. It is started as soon as the session knows it will be needed (after
    collection), so that its start-up (mostly Prefect's imports) runs beside the first tests;
    ``url`` waits until it answers."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="dgn-test-prefect-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        env.update(PREFECT_HOME=str(self.home), PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1",
                   PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING",
                   PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{self.home / 'prefect.db'}")
        self.log = open(self.home / "server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.run.server_guard", str(os.getpid()), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
        self._ready = False

    @property
    def url(self) -> str:
        api = f"http://127.0.0.1:{self.port}/api"
        deadline = time.monotonic() + SERVER_STARTUP_SECONDS
        while not self._ready:
            try:
                urllib.request.urlopen(api + "/health", timeout=5)
                self._ready = True
            except OSError:
                if self.proc.poll() is not None:
                    pytest.fail("the session's Prefect server died:\n" + (self.home / "server.log").read_text())
                if time.monotonic() > deadline:
                    pytest.fail(f"the session's Prefect server did not answer in {SERVER_STARTUP_SECONDS} s")
                time.sleep(0.5)
        return api

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


_server: SessionServer | None = None


def _session_server() -> SessionServer:
    global _server
    if _server is None:
        _server = SessionServer()
    return _server


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    if any("prefect_harness" in getattr(item, "fixturenames", ()) for item in session.items):
        _session_server()


def pytest_sessionfinish(session, exitstatus):
    if _server is not None:
        _server.stop()


@pytest.fixture(scope="session")
def prefect_harness():
    """The session's Prefect server as the API of every run: in this process (Prefect's
    settings) and in the processes tests start (``PREFECT_API_URL`` in the environment)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = _session_server().url
    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


@pytest.fixture(scope="session")
def sample_release(tmp_path_factory, prefect_harness):
    """The flow run once on the bundled sample pages; tests read its release."""
    from pipeline.flows import run

    out = tmp_path_factory.mktemp("out")
    summary = run(None, out)
    return summary, Path(summary.release), out
