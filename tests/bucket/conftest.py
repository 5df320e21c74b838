"""A real S3-compatible server (moto's, in server mode) on loopback, started for the tests."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from pathlib import Path

import pytest

# the real redis-server of a crawl on many machines, for the workers that upload
from tests.distributed.conftest import redis_server, redis_url  # noqa: F401

ACCESS = {"AWS_ACCESS_KEY_ID": "archive-test", "AWS_SECRET_ACCESS_KEY": "archive-test-secret",
          "AWS_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    from moto.server import ThreadedMotoServer

    # its request log would fill the output of every failing test
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(monkeypatch, s3_endpoint, tmp_path) -> dict[str, str]:
    """The environment of an `archive` process that uploads to the test server, and no other
    credentials than these (no ~/.aws)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    env = {**ACCESS, "AWS_ENDPOINT_URL": s3_endpoint,
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
           "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"), "AWS_EC2_METADATA_DISABLED": "true"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def bucket(s3_env, s3_endpoint):
    """A new empty bucket: (its name, a pyarrow file system reading the server)."""
    from pyarrow.fs import S3FileSystem

    name = f"archive-{uuid.uuid4().hex[:12]}"
    filesystem = S3FileSystem(access_key=ACCESS["AWS_ACCESS_KEY_ID"], secret_key=ACCESS["AWS_SECRET_ACCESS_KEY"],
                              endpoint_override=s3_endpoint.removeprefix("http://"), scheme="http",
                              region="us-east-1", allow_bucket_creation=True)
    filesystem.create_dir(name)
    return name, filesystem


def keys(filesystem, root: str) -> dict[str, int]:
    """Every object under `root` (bucket/prefix), by key below it, with its size."""
    from pyarrow.fs import FileSelector, FileType

    listed = filesystem.get_file_info(FileSelector(root, recursive=True, allow_not_found=True))
    return {info.path.removeprefix(root + "/"): info.size for info in listed if info.type == FileType.File}


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under `root` with its size and modification time: what must not change."""
    return {str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(root.rglob("*")) if path.is_file()}
