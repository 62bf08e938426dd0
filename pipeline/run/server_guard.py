"""The Prefect API a run reports to, and the temporary server a run starts, which ends with
the run even when the run is killed.

``run_api``: with ``PREFECT_API_URL`` set (a real server) nothing is started. Without it, one
temporary server is started here and its URL set for the run, so that everything the run
starts (Dask workers, task processes) reports to it: they get the run's settings and would
otherwise each start a server of their own (tens of seconds each under load). It may take up
to ``STARTUP_SECONDS`` to answer (Prefect's 20 s default failed runs on a loaded machine).

Without a ``PREFECT_API_URL`` Prefect starts a server of its own in a child process; a
``kill -9`` of the run left that child running, holding the terminal's stdout and stderr.
``install`` makes Prefect start the child through this module, whose thread watches the
parent and ends the server within half a second of the parent's death. A process-level watch,
not ``PR_SET_PDEATHSIG``, which follows the thread that started the child.

    python -m pipeline.run.server_guard PARENT_PID UVICORN_ARGS...
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

POLL_SECONDS = 0.5
STARTUP_SECONDS = 180


@contextmanager
def run_api() -> Iterator[str | None]:
    """Within the block, ``PREFECT_API_URL`` names the API of the run (None when Prefect's
    settings allow no temporary server: Prefect then says so)."""
    from prefect.settings import (
        PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    configured = PREFECT_API_URL.value()
    if configured or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        yield configured
        return
    install()
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    with temporary_settings(updates=_no_telemetry()):
        server.start(timeout=max(STARTUP_SECONDS, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield server.api_url


def _no_telemetry() -> dict:
    """The temporary server's telemetry off unless the user set it: with no network it logged
    "Failed to send telemetry" every ten minutes of a long run."""
    from prefect.settings import PREFECT_SERVER_ANALYTICS_ENABLED

    return {} if "PREFECT_SERVER_ANALYTICS_ENABLED" in os.environ else {PREFECT_SERVER_ANALYTICS_ENABLED: False}


def watch_parent(parent: int) -> threading.Thread:
    """End this process (at once, no clean-up to wait for) when ``parent`` is gone."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(0)

    t = threading.Thread(target=watch, name="dgn-parent-watch", daemon=True)
    t.start()
    return t


def install() -> None:
    """Route Prefect's temporary server (``SubprocessASGIServer``) through this guard."""
    from prefect.server.api import server

    cls = server.SubprocessASGIServer
    if getattr(cls, "_dgn_guarded", False):
        return
    original = cls._run_uvicorn_command

    def guarded(self) -> subprocess.Popen[Any]:
        real_popen = subprocess.Popen

        def popen(args, **kwargs):
            if list(args[1:3]) == ["-m", "uvicorn"]:
                args = [args[0], "-m", "pipeline.run.server_guard", str(os.getpid()), *args[3:]]
            return real_popen(args, **kwargs)

        server.subprocess = _Shim(popen)
        try:
            return original(self)
        finally:
            server.subprocess = subprocess

    cls._run_uvicorn_command = guarded
    cls._dgn_guarded = True


class _Shim:
    """``subprocess`` as Prefect's server module sees it while it starts the child: only
    ``Popen`` differs, so no other thread's use of ``subprocess`` is touched."""

    def __init__(self, popen):
        self.Popen = popen

    def __getattr__(self, name: str):
        return getattr(subprocess, name)


def main(argv: list[str]) -> None:
    watch_parent(int(argv[0]))
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", *argv[1:]]
    uvicorn_main()


if __name__ == "__main__":
    main(sys.argv[1:])
