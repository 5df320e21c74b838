"""Crawl bookkeeping: the state store, per-site locks, and repair after a killed run."""
