"""Publishing a release: tables to files, the dataset card, the data package, diffs."""
