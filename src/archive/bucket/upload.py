"""Copying the finished files of a data directory into a bucket, each once.

A file is skipped when the bucket holds an object of its key and size. That is enough:
a finished file is never written again under its name (archive.bucket.finished), names
are unique to the process that wrote them, and an object appears whole or not at all
(an upload that dies is never completed). The ETag would not say more: pyarrow uploads
in parts, and the ETag of a multipart object is not the MD5 of its bytes. One listing
of the prefix gives every object's size; an upload re-reads no local file to decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.bucket.finished import FinishedFile, finished_files
from archive.bucket.location import BucketLocation, bucket_error
from archive.errors import BucketError

if TYPE_CHECKING:
    from pyarrow.fs import S3FileSystem

# Files uploaded at once: a small file's time is the server's round trips, not bytes, and
# pyarrow lets go of the GIL while it waits.
PARALLEL_UPLOADS = 8


@dataclass
class UploadResult:
    uploaded: list[FinishedFile] = field(default_factory=list)
    already: list[FinishedFile] = field(default_factory=list)  # in the bucket, same size
    unfinished: list[Path] = field(default_factory=list)  # being written: the next upload takes them

    @property
    def bytes_uploaded(self) -> int:
        return sum(f.size for f in self.uploaded)


def objects_held(filesystem: S3FileSystem, location: BucketLocation) -> dict[str, int]:
    """The size of every object under the prefix, by its key below it; BucketError unless
    the bucket can be reached and listed with these credentials."""
    from pyarrow.fs import FileType

    try:
        found = filesystem.get_file_info(location.bucket)
    except OSError as exc:
        raise bucket_error(exc, str(location)) from None
    if found.type == FileType.NotFound:
        raise BucketError(f"{location}: no such bucket")
    return _objects(filesystem, location)


def upload_data_dir(data_dir: Path, location: BucketLocation, filesystem: S3FileSystem,
                    on_uploaded: Callable[[FinishedFile], None] | None = None) -> UploadResult:
    """Upload every finished file of `data_dir` that `location` does not hold yet, under
    its key in the data directory; `on_uploaded` hears of each one as it is done."""
    held = objects_held(filesystem, location)
    files = finished_files(data_dir)
    result = UploadResult(unfinished=files.unfinished)
    missing = []
    for file in files.finished:
        (result.already if held.get(file.key) == file.size else missing).append(file)
    # the WARC files before the rows that point into them
    for group in ([f for f in missing if f.key.startswith("warc/")],
                  [f for f in missing if not f.key.startswith("warc/")]):
        for file in _copy_each(filesystem, location, group):
            result.uploaded.append(file)
            if on_uploaded is not None:
                on_uploaded(file)
    return result


def _copy_each(filesystem: S3FileSystem, location: BucketLocation, files: list[FinishedFile],
               ) -> Iterator[FinishedFile]:
    """Upload `files` a few at a time, giving each as it is done; the first error stops
    those not started and is raised once the started ones are done."""
    with ThreadPoolExecutor(max_workers=PARALLEL_UPLOADS) as pool:
        started = {pool.submit(_copy, filesystem, location, file): file for file in files}
        try:
            for done in as_completed(started):
                if done.result():
                    yield started[done]
        finally:
            for future in started:
                future.cancel()


def _objects(filesystem: S3FileSystem, location: BucketLocation) -> dict[str, int]:
    from pyarrow.fs import FileSelector, FileType

    root = location.path() + "/"
    try:
        listed = filesystem.get_file_info(FileSelector(location.path(), recursive=True, allow_not_found=True))
    except OSError as exc:
        raise bucket_error(exc, str(location)) from None
    return {info.path.removeprefix(root): info.size for info in listed if info.type == FileType.File}


def _copy(filesystem: S3FileSystem, location: BucketLocation, file: FinishedFile) -> bool:
    """Upload one file; False when it is gone from the data directory (a swap deleted it)."""
    from pyarrow.fs import LocalFileSystem, copy_files

    target = location.path(file.key)
    try:
        copy_files(str(file.path), target, source_filesystem=LocalFileSystem(), destination_filesystem=filesystem)
    except FileNotFoundError:
        if file.path.exists():
            raise
        return False
    except OSError as exc:
        raise bucket_error(exc, location.url(file.key)) from None
    try:
        size = filesystem.get_file_info(target).size
    except OSError as exc:
        raise bucket_error(exc, location.url(file.key)) from None
    if size != file.size:
        # pyarrow completes an upload whose reading failed half-way all the same: such an
        # object must not stay where readers take it for the file.
        filesystem.delete_file(target)
        raise BucketError(f"{location.url(file.key)}: {size} of {file.size} bytes arrived; removed, upload again")
    return True
