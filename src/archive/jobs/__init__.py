"""Extraction jobs: captured pages become records, in a pool of worker processes."""
