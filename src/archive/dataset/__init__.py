"""The Parquet datasets derived from the WARC files, and what is made from them."""
