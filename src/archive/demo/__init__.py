"""A small offline web of invented Chinese news sites for the demo and the tests.

Each folder under `sites/` is one site: `www/` holds the files served, `site.toml` the
crawl config (with `{base}` standing for the site's origin), `manifest.json` the records
a correct crawl and extraction must produce, and an optional `serve.toml` the server
quirks (encoding, compression, counters) that the site imitates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archive.demo.server import DEMO_ROOT, DemoServer


def load_manifest(site_id: str, root: Path = DEMO_ROOT) -> dict[str, Any]:
    """The expected results of crawling `site_id`, as written in its manifest.json."""
    with (root / site_id / "manifest.json").open(encoding="utf-8") as fh:
        return json.load(fh)


__all__ = ["DEMO_ROOT", "DemoServer", "load_manifest"]
