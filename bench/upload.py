"""`archive upload` of many small dataset files, one at a time against several at once.

A data directory of FILES Parquet-sized files (SIZE bytes each, in 20 site partitions) is
uploaded to moto's S3 server on 127.0.0.1, into a new bucket each time: with
PARALLEL_UPLOADS = 1 (the baseline) and with the default, three rounds each, alternated.
A loopback server answers in a fraction of a millisecond: a server across a network,
where a small file costs round trips, is not measured here.

    python bench/upload.py

Target: the default at least as fast as one at a time (ratio >= 1).
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import time
from pathlib import Path

from archive.bucket import upload
from archive.bucket.location import BucketLocation, connect

FILES, SIZE, ROUNDS = 400, 30_000, 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def data_dir(root: Path) -> Path:
    for n in range(FILES):
        part = root / "articles" / f"site=s{n % 20}" / "capture_date=2026-12-07"
        part.mkdir(parents=True, exist_ok=True)
        (part / f"part-{n:05d}.parquet").write_bytes(os.urandom(SIZE))
    return root


def timed(root: Path, endpoint: str, parallel: int, bucket: str) -> float:
    upload.PARALLEL_UPLOADS = parallel
    location = BucketLocation(bucket, "")
    filesystem = connect(location, endpoint)
    started = time.perf_counter()
    result = upload.upload_data_dir(root, location, filesystem)
    seconds = time.perf_counter() - started
    assert len(result.uploaded) == FILES, len(result.uploaded)
    return seconds


def main() -> None:
    from moto.server import ThreadedMotoServer
    from pyarrow.fs import S3FileSystem

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    admin = S3FileSystem(access_key="bench", secret_key="bench", endpoint_override=f"127.0.0.1:{port}",
                         scheme="http", region="us-east-1", allow_bucket_creation=True)
    default = upload.PARALLEL_UPLOADS
    times: dict[int, list[float]] = {1: [], default: []}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            root = data_dir(Path(scratch))
            for round_ in range(ROUNDS):
                for parallel in (1, default):
                    bucket = f"bench-{round_}-{parallel}"
                    admin.create_dir(bucket)
                    times[parallel].append(timed(root, endpoint, parallel, bucket))
    finally:
        server.stop()
    best = {parallel: min(seconds) for parallel, seconds in times.items()}
    print(f"{FILES} files of {SIZE // 1000} kB to moto on loopback, best of {ROUNDS}:")
    for parallel, seconds in best.items():
        print(f"  {parallel} at once: {seconds:.2f} s ({FILES / seconds:.0f} files/s)")
    print(f"ratio (one at a time / {default} at once): {best[1] / best[default]:.2f}  [target >= 1]")


if __name__ == "__main__":
    main()
