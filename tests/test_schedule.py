"""`dgn serve`: a deployment with its cron schedule on a real Prefect server, and a run of it."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.cli import main

BIN = Path(sys.executable).parent

RUN_DEPLOYMENT = textwrap.dedent("""
    import asyncio, json, sys
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.runner import Runner
    from pipeline.schedule import deployment

    dep_id = deployment("0 3 * * *", output_dir=sys.argv[1], name="dgn-test").apply()
    run = run_deployment(dep_id, timeout=0)

    async def execute():
        await Runner().execute_flow_run(run.id)
        async with get_client() as client:
            return await client.read_deployment(dep_id), await client.read_flow_run(run.id)

    dep, done = asyncio.run(execute())
    print(json.dumps({"crons": [s.schedule.cron for s in dep.schedules],
                      "timezones": [s.schedule.timezone for s in dep.schedules],
                      "active": [s.active for s in dep.schedules], "state": done.state.type.value}))
""")


def test_serve_needs_a_server(monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main(["serve", "--cron", "0 3 * * *"]) == 2
    assert "prefect server start" in capsys.readouterr().err


def test_serve_refuses_a_bad_cron(monkeypatch, capsys):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert main(["serve", "--cron", "every day"]) == 2
    assert "bad --cron" in capsys.readouterr().err


@pytest.fixture
def prefect_server(prefect_harness, tmp_path):
    """The session's Prefect server; the script runs with a Prefect home of its own."""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    return prefect_harness, env


@pytest.mark.slow
def test_deployment_has_cron_and_a_run_succeeds(prefect_server, tmp_path):
    url, env = prefect_server
    script = tmp_path / "run_deployment.py"
    script.write_text(RUN_DEPLOYMENT)
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, str(script), str(out)], env={**env, "PREFECT_API_URL": url},
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got == {"crons": ["0 3 * * *"], "timezones": ["Asia/Shanghai"], "active": [True], "state": "COMPLETED"}
    latest = (out / "releases" / "LATEST").read_text().strip()
    assert (out / "releases" / latest / "data" / "articles.parquet" / "part-00000.parquet").is_file()
