"""The README's work-pool path and the Prefect CLI it names, against a real Prefect server.

One server for the module (SQLite in a temp folder); the commands run in subprocesses as a
new user types them, from the folder that holds prefect.yaml.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).parent / "prefect")
DEPLOYMENT = "dgn-release/dgn-nightly"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.headers.get("content-type", ""), r.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A `prefect server start` of its own; yields (base url, env for the CLI)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "DGN_")) or k == "PREFECT_SERVER_ANALYTICS_ENABLED"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", COLUMNS="200",
               PREFECT_UI_API_URL=f"{base}/api", PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="1")
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home)
    try:
        for _ in range(900):
            try:
                _get(f"{base}/api/health")
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail((home / "server.log").read_text())
                time.sleep(0.2)
        else:
            pytest.fail("prefect server did not start in 180 s")
        yield base, {**env, "PREFECT_API_URL": f"{base}/api"}, home / "server.log"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _scheduled_runs(api: str) -> int:
    """Scheduled runs of the flow, asked of the API (a `prefect flow-run ls` a poll cost 2-3 s
    of CPU)."""
    query = {"flows": {"name": {"any_": ["dgn-release"]}}, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}
    req = urllib.request.Request(f"{api}/flow_runs/count", data=json.dumps(query).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return int(r.read())


def _prefect(env: dict, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _ok(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 0, f"{r.args}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


@pytest.mark.slow
def test_server_ui_and_api_answer(server):
    """The UI's page, its scripts and styles, and the API all load (fastapi pin: see pyproject)."""
    base, _, _ = server
    assert _get(f"{base}/api/health")[0] == 200
    status, _, page = _get(f"{base}/")
    assert status == 200
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', page.decode())
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), page[:500]
    for a in assets:
        status, kind, body = _get(base + a)
        assert status == 200 and body and ("javascript" in kind or "css" in kind), (a, kind)
    assert f'"api_url":"{base}/api"' in _get(f"{base}/ui-settings")[2].decode()


@pytest.mark.slow
def test_readme_work_pool_path_from_a_fresh_machine(server, tmp_path):
    """README "Through a work pool": create the pool, export the variables, deploy, run the
    deployment, one worker pass; a release lands in DGN_OUTPUT and the CLI lists it all."""
    _, env, server_log = server
    pages = tmp_path / "pages"
    shutil.copytree(ROOT / "pipeline" / "samples", pages)
    out = tmp_path / "dgn-out"

    r = _prefect(env, "--no-prompt", "deploy", "--all")
    assert r.returncode != 0 and "work pool 'dgn-pool'" in " ".join((r.stdout + r.stderr).split())
    _ok(_prefect(env, "work-pool", "create", "dgn-pool", "--type", "process"))

    r = _prefect({**env, "DGN_OUTPUT": str(out)}, "--no-prompt", "deploy", "--all")
    assert r.returncode != 0 and "DGN_INPUT: is not set: export DGN_INPUT=" in r.stdout + r.stderr

    deployed = _ok(_prefect({**env, "DGN_INPUT": str(pages), "DGN_OUTPUT": str(out)}, "--no-prompt", "deploy", "--all"))
    assert f"Deployment '{DEPLOYMENT}' successfully created" in deployed
    inspect = _ok(_prefect(env, "deployment", "inspect", DEPLOYMENT))
    assert f"'inputs': ['{pages}']" in inspect and f"'output_dir': '{out}'" in inspect
    assert f"'directory': '{ROOT}'" in inspect  # DGN_HOME defaults to the folder deployed from

    for _ in range(240):  # the server's scheduler turns the nightly cron into scheduled runs
        if _scheduled_runs(env["PREFECT_API_URL"]):
            break
        time.sleep(0.5)
    else:
        pytest.fail("no scheduled run of the nightly cron:\n" + server_log.read_text()[-3000:])

    _ok(_prefect(env, "deployment", "run", DEPLOYMENT))
    _ok(_prefect(env, "worker", "start", "--pool", "dgn-pool", "--run-once", timeout=900))
    latest = (out / "releases" / "LATEST").read_text().strip()
    assert (out / "releases" / latest / "data" / "articles.parquet" / "part-00000.parquet").is_file()

    rows = _ok(_prefect(env, "deployment", "ls"))
    assert re.search(rf"{re.escape(DEPLOYMENT)}\s.*\sdgn-pool", rows), rows
    runs = _ok(_prefect(env, "flow-run", "ls"))
    assert re.search(r"dgn-release\s.*\sCOMPLETED", runs), runs
    assert "dgn-pool" in _ok(_prefect(env, "work-pool", "ls"))
    assert "dgn-run-summary" in _ok(_prefect(env, "artifact", "ls"))
    assert "Traceback" not in server_log.read_text(), server_log.read_text()[-3000:]
