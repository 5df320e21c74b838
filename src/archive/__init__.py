"""Archive Chinese official news sites into WARC files and a Parquet article dataset."""

__version__ = "0.1.0"
