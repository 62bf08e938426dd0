"""The cleaner's YAML data files read by libyaml when PyYAML has it.

PyYAML's pure-Python loader takes about 30 ms for the cleaner's six files, paid again by every
worker process of `dgn extract`; libyaml's safe loader builds the same objects in a tenth of it.
"""
from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str):
    """``yaml.safe_load(text)``, by libyaml when it is there."""
    return yaml.load(text, Loader=_LOADER)
