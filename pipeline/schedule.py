"""`dgn serve`: the flow as a Prefect deployment on a cron schedule, served from this process.

Schedules need a real Prefect server (``prefect server start``) reached through
``PREFECT_API_URL``; the ephemeral server that `dgn run` uses cannot schedule.
"""
from __future__ import annotations

import os

DEFAULT_NAME = "dgn-scheduled"


def deployment(cron: str, inputs: list[str] | None = None, output_dir: str = "output",
               name: str = DEFAULT_NAME, min_topic_score: float = 0.05):
    """The RunnerDeployment of the release flow with its cron schedule (Asia/Shanghai)."""
    from prefect.schedules import Cron

    from pipeline.flows import build_release, sample_dir

    params = {"inputs": [os.path.abspath(i) for i in (inputs or [str(sample_dir())])],
              "output_dir": os.path.abspath(output_dir), "min_topic_score": min_topic_score}
    return build_release.to_deployment(name=name, schedule=Cron(cron, timezone="Asia/Shanghai"),
                                       parameters=params, tags=["dgn"],
                                       description="DGN release on a schedule")


def serve(cron: str, inputs: list[str] | None = None, output_dir: str = "output", name: str = DEFAULT_NAME) -> None:
    """Register the deployment and poll for its scheduled runs until interrupted."""
    from prefect import serve as prefect_serve

    prefect_serve(deployment(cron, inputs, output_dir, name))
