"""Archive Chinese official news sites into WARC files and a Parquet article dataset."""

__version__ = "0.1.0"

from pathlib import Path

# The site config files of a source checkout, where the commands look without --sites.
DEFAULT_SITES_DIR = Path(__file__).resolve().parents[2] / "crawler" / "sites"
