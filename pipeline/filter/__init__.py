"""Quality filters: each returns keep or drop plus a reason, and the flow counts the reasons."""
from pipeline.filter.quality import FILTERS, Verdict, run_filters

__all__ = ["FILTERS", "Verdict", "run_filters"]
