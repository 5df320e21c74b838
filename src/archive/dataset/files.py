"""Finding a dataset's files, and reading them with the documented schema.

Layout: ``<dataset>/site=<id>/capture_date=<YYYY-MM-DD>/part-<run>-<n>.parquet``. The two
partition keys live in the directory names only, as Hive and Spark write them; readers
with hive partitioning (pyarrow, DuckDB, pandas, polars, Spark) get them back as columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pyarrow.parquet as pq

from archive.dataset.schema import ATTACHMENT_DATASET_SCHEMA, DATASET_SCHEMA, PARTITION_SCHEMA, VIEWS_DATASET_SCHEMA
from archive.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.dataset as ds


# What hive partitioning reads as null (the name Hive and Spark write for it).
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def partition_value(segment: str) -> str | None:
    """The value of one ``key=value`` directory name, decoded as pyarrow's hive partitioning
    decodes it (percent-escapes, the Hive null name)."""
    value = unquote(segment.partition("=")[2])
    return None if value == _HIVE_NULL else value


def dataset_files(root: Path, sites: Sequence[str] | None = None) -> list[str]:
    """The data files under `root`, sorted by path; with `sites`, only those sites' files,
    without listing the other sites' directories."""
    root = Path(root)
    if sites is None:
        return sorted(str(p) for p in root.glob("site=*/capture_date=*/*.parquet"))
    wanted = set(sites)
    chosen = [d for d in root.glob("site=*") if partition_value(d.name) in wanted]
    return sorted(str(p) for d in chosen for p in d.glob("capture_date=*/*.parquet"))


def archived_sites(root: Path) -> set[str | None]:
    """The sites with at least one data file under `root`."""
    return {partition_value(d.name) for d in Path(root).glob("site=*") if next(d.glob("*/*.parquet"), None)}


def check_sites(root: Path, sites: Sequence[str]) -> None:
    """InputError naming the first of `sites` without a row under `root`: a mistyped site
    id would otherwise give an empty export, count or report without a word."""
    archived = archived_sites(root)
    for site in sites:
        if site not in archived:
            known = ", ".join(sorted(s for s in archived if s is not None)) or "none"
            raise InputError(f"--site {site}: no articles of this site in {root} (sites there: {known})")


def written_keys(root: Path, columns: Sequence[str]) -> set[tuple]:
    """The values of `columns`, as tuples, of every row already under `root`: what a
    writer adding to the dataset must not write again."""
    keys: set[tuple] = set()
    for path in dataset_files(root):
        table = pq.read_table(path, columns=list(columns))
        keys.update(zip(*(table.column(name).to_pylist() for name in columns), strict=True))
    return keys


def open_dataset(root: Path, *, views: bool = False, attachments: bool = False,
                 schema: pa.Schema | None = None) -> ds.Dataset:
    """The dataset under `root` with the documented schema (never an inferred one):
    articles, view readings with `views`, attachments with `attachments`, or the one
    `schema` names."""
    # Imported here: pyarrow.dataset imports pandas when it is installed (0.3 s), which
    # commands that never open a dataset this way (export) should not pay for.
    import pyarrow.dataset as ds

    files = dataset_files(root)
    return ds.dataset(
        files,
        schema=schema or (VIEWS_DATASET_SCHEMA if views else ATTACHMENT_DATASET_SCHEMA if attachments
                          else DATASET_SCHEMA),
        format="parquet",
        partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
        partition_base_dir=str(root),
    )
