"""One run: the per-page stages, staging shard results, assembling tables, incremental runs."""
