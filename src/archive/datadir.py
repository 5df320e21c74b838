"""The data directory's layout: the one place that knows where each part of an archive lives.

```
DATA/
  warc/            WARC files, the record of truth (names: archive.warc.names)
  indexes/         a CDXJ index per crawl of a site
  articles/        the article dataset   (hive partitions site=/capture_date=)
  views/           the view-count history (same partitions)
  changes/         edits and takedowns of archived articles (same partitions)
  attachments/     the attachments articles link, their text (same partitions)
  state.sqlite     crawl state: speeds re-crawls up, never the truth
  locks/<site>.lock  one crawl (or rebuild) of a site at a time
  .reextract/      staging area and journals of dataset swaps
```

A dataset file is written under a hidden temporary name first and renamed when whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

DATASETS = ("articles", "views", "changes", "attachments")
STATE_FILE = "state.sqlite"
# SQLite's write-ahead log and its index beside the state file, in WAL mode.
STATE_COMPANIONS = ("-wal", "-shm")


class DataDir:
    """Paths inside one data directory; nothing here touches the disk but `partials`."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"DataDir({str(self.root)!r})"

    @property
    def warc(self) -> Path:
        return self.root / "warc"

    @property
    def indexes(self) -> Path:
        return self.root / "indexes"

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def views(self) -> Path:
        return self.root / "views"

    @property
    def changes(self) -> Path:
        return self.root / "changes"

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    def dataset(self, name: str) -> Path:
        """The root of one derived dataset (`DATASETS`)."""
        if name not in DATASETS:
            raise ValueError(f"no dataset {name!r} in a data directory")
        return self.root / name

    @property
    def state_file(self) -> Path:
        return self.root / STATE_FILE

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    def lock_file(self, site: str) -> Path:
        return self.locks / f"{site}.lock"

    @property
    def staging(self) -> Path:
        return self.root / ".reextract"

    def index_file(self, first_warc: Path) -> Path:
        """The CDXJ index of a crawl, named after the first WARC file it wrote."""
        return self.indexes / (first_warc.name.removesuffix(".warc.gz") + ".cdxj")

    def kept_parts(self) -> list[Path]:
        """What an archive keeps: a file written over or into one of these would damage it."""
        state = self.state_file
        return [self.warc, *map(self.dataset, DATASETS), self.indexes, self.locks, state,
                *(state.with_name(state.name + end) for end in STATE_COMPANIONS)]

    def part_holding(self, path: Path) -> Path | None:
        """The kept part that `path` is, or lies inside of; None when it is outside them all."""
        target = path.resolve()
        for part in self.kept_parts():
            kept = part.resolve()
            if target == kept or kept in target.parents:
                return part
        return None

    def partials(self, site: str) -> Iterator[Path]:
        """Temporary dataset files of `site` that a killed writer left (never part of a dataset)."""
        for name in DATASETS:
            yield from (self.dataset(name) / f"site={site}").glob(f"*/{partial_name('*.parquet')}")


def partial_name(final_name: str) -> str:
    """The hidden name a dataset file is written under before it is renamed to `final_name`."""
    return f".{final_name}.tmp"
