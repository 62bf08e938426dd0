"""Fault-injection hooks: let a test stretch one stage so that it can kill the run inside it.

``DGN_FAULT_DELAY_<STAGE>=<seconds>`` makes ``pause("<stage>")`` sleep that long; with
``DGN_FAULT_MARKS=<folder>`` it first creates ``<folder>/<stage>`` so the test knows the run
got there. Stages: ``clean`` (before each page is cleaned), ``validate`` (publish lock held,
before the suites run), ``publish`` (release written in its temporary folder, before the
rename), ``latest`` (release renamed into place, before ``LATEST`` moves). Without these
variables ``pause`` does nothing.
"""
from __future__ import annotations

import os
import time
from pathlib import Path


def pause(stage: str) -> None:
    seconds = os.environ.get(f"DGN_FAULT_DELAY_{stage.upper()}")
    if not seconds:
        return
    marks = os.environ.get("DGN_FAULT_MARKS")
    if marks:
        Path(marks).mkdir(parents=True, exist_ok=True)
        Path(marks, stage).touch()
    time.sleep(float(seconds))
