"""Issue 16, fixed costs: a run with nothing new starts no Prefect; a configured API is used as
it is (no temporary server); one temporary server serves everything a run starts."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.run import server_guard


def test_a_run_with_nothing_new_imports_neither_prefect_nor_gx(sample_release):
    _, _, out = sample_release
    code = ("import json, sys; from pipeline.cli import main; rc = main(['run', '--no-progress', '--output', sys.argv[1]]);"
            "print(json.dumps([rc, sorted({m.split('.')[0] for m in sys.modules} & "
            "{'prefect', 'great_expectations', 'pandas', 'lxml'})]))")
    r = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[1])
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("nothing new: 5 pages already in release"), r.stdout + r.stderr
    assert json.loads(lines[-1]) == [0, []]


def test_a_configured_api_is_used_and_no_server_started(monkeypatch):
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    def no_start(self, timeout=None):
        raise AssertionError("a temporary server was started")

    monkeypatch.setattr(SubprocessASGIServer, "start", no_start)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4999/api"}):
        with server_guard.run_api() as url:
            assert url == "http://127.0.0.1:4999/api"


def test_the_temporary_server_url_is_set_for_the_run(monkeypatch):
    """Dask workers and task processes get the run's settings: the URL must be in them, or
    each starts a server of its own."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings

    started = []

    def fake_start(self, timeout=None):
        started.append(timeout)
        self.port = 8765

    monkeypatch.setattr(SubprocessASGIServer, "start", fake_start)
    try:
        with temporary_settings(updates={PREFECT_SERVER_EPHEMERAL_ENABLED: True}, restore_defaults={PREFECT_API_URL}):
            assert not PREFECT_API_URL.value()
            with server_guard.run_api() as url:
                assert url == "http://127.0.0.1:8765/api" == PREFECT_API_URL.value()
            assert not PREFECT_API_URL.value()
    finally:
        SubprocessASGIServer._instances.pop(None, None)
    assert started and started[0] >= server_guard.STARTUP_SECONDS


@pytest.mark.parametrize("full", [False, True])
def test_the_python_api_answers_nothing_new_without_starting_the_flow(sample_release, monkeypatch, full):
    from pipeline import flows

    _, _, out = sample_release
    called = []
    monkeypatch.setattr(flows.server_guard, "run_api", lambda: called.append(1) or pytest.fail("flow started"))
    if full:
        with pytest.raises(pytest.fail.Exception):
            flows.run(None, out, full=True)
    else:
        assert not flows.run(None, out).published
    assert called == ([1] if full else [])


@pytest.mark.parametrize("user", [None, "true"])
def test_the_temporary_server_sends_no_telemetry_unless_the_user_asks(monkeypatch, user):
    """With no network the server's telemetry logged a failure every ten minutes of a run."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import (PREFECT_API_URL, PREFECT_SERVER_ANALYTICS_ENABLED, PREFECT_SERVER_EPHEMERAL_ENABLED,
                                  get_current_settings, temporary_settings)

    seen = []

    def fake_start(self, timeout=None):
        seen.append(get_current_settings().to_environment_variables(exclude_unset=True)
                    .get("PREFECT_SERVER_ANALYTICS_ENABLED"))
        self.port = 8766

    monkeypatch.setattr(SubprocessASGIServer, "start", fake_start)
    if user is None:
        monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    else:
        monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", user)
    try:
        with temporary_settings(updates={PREFECT_SERVER_EPHEMERAL_ENABLED: True, PREFECT_SERVER_ANALYTICS_ENABLED: True},
                                restore_defaults={PREFECT_API_URL}):
            with server_guard.run_api():
                pass
    finally:
        SubprocessASGIServer._instances.pop(None, None)
    assert [str(v).lower() for v in seen] == (["false"] if user is None else ["true"])
