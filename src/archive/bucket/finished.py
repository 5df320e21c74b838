"""Which files of a data directory are whole, and may be copied elsewhere while crawls run.

Every part of an archive is written under a name no reader takes for the finished file
and renamed when whole: a WARC file carries ``.open`` while it is written
(archive.warc.names), a dataset file or CDXJ index a hidden temporary name
(archive.datadir). What has its final name is never written again, with one exception:
a re-extraction swapping a site's dataset files, whose journal says so until the swap
is done. The crawl state and the locks belong to this machine and never leave it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive.datadir import DATASETS, DataDir
from archive.dataset.swap import sites_mid_swap
from archive.warc.names import OPEN_SUFFIX, SUFFIX


@dataclass(frozen=True)
class FinishedFile:
    key: str  # the path under the data directory, with "/": the object's key under a prefix
    path: Path
    size: int


@dataclass
class DataDirFiles:
    finished: list[FinishedFile] = field(default_factory=list)
    # Files still being written, and dataset files of a site mid-swap: left for a later upload.
    unfinished: list[Path] = field(default_factory=list)


def finished_files(data_dir: Path) -> DataDirFiles:
    """The whole files of `data_dir`: WARC files first (the datasets point into them), then
    the indexes of the crawls, then the datasets; each part in name order."""
    data = DataDir(data_dir)
    swapping = sites_mid_swap(data.root)
    found = DataDirFiles()
    for part, suffix in ((data.warc, SUFFIX), (data.indexes, ".cdxj"),
                         *((data.dataset(name), ".parquet") for name in DATASETS)):
        for path in _files(part):
            if path.name.startswith(".") or not path.name.endswith(suffix):
                # a hidden name is a file being written (or the leftover of one that was killed)
                if path.name.startswith(".") or path.name.endswith(SUFFIX + OPEN_SUFFIX):
                    found.unfinished.append(path)
                continue
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue  # an old file a swap just deleted
            found.finished.append(FinishedFile(path.relative_to(data.root).as_posix(), path, size))
    # A swap that began while the files were listed counts as well as one under way before.
    swapping |= sites_mid_swap(data.root)
    if swapping:
        found.unfinished += [f.path for f in found.finished if _site_of_key(f.key) in swapping]
        found.finished = [f for f in found.finished if _site_of_key(f.key) not in swapping]
    return found


def _files(part: Path) -> Iterator[Path]:
    """Every file under `part`, in name order, skipping hidden directories."""
    if not part.is_dir():
        return
    for path in sorted(part.iterdir()):
        if path.is_dir():
            if not path.name.startswith("."):
                yield from _files(path)
        elif path.is_file():
            yield path


def _site_of_key(key: str) -> str | None:
    """The site a dataset file's key is partitioned under; None for a WARC file or an index."""
    dataset, _, rest = key.partition("/")
    if dataset not in DATASETS:
        return None
    first = rest.split("/", 1)[0]
    return first.removeprefix("site=") if first.startswith("site=") else None
