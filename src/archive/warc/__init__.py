"""WARC files: writing, reading back, indexing, packaging and repairing them."""
