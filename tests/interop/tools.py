"""The third-party web-archive tools the interop tests drive, each in a subprocess.

`wacz` (the validator) is a test extra of this project and sits next to the test
interpreter. pywb pins old versions of packages the crawler also uses (pyOpenSSL,
Werkzeug, and brotlipy, which shadows the `brotli` module Scrapy decodes with), so it
lives in a virtualenv of its own: $ARCHIVE_PYWB_VENV when set, else one made on first
use under the user's cache directory and reused after that.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

PYWB_REQUIREMENT = "pywb==2.10.0"
LOOPBACK = "127.0.0.1"
COLLECTION = "news"
# Subprocesses run without the test process's warnings-as-errors.
QUIET_ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def venv_tool(name: str) -> Path:
    """A console script installed next to the test interpreter."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        pytest.fail(f"{path} is missing: install the test extras (pip install -e '.[test]')")
    return path


def _default_pywb_venv() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "official-news-archiver" / PYWB_REQUIREMENT.replace("==", "-")


def pywb_venv() -> Path:
    """A virtualenv with pywb installed, made on first use."""
    venv = Path(os.environ.get("ARCHIVE_PYWB_VENV") or _default_pywb_venv())
    ready = venv / ".ready"
    if ready.exists():
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Two test runs at once must not build the same virtualenv over each other.
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             PYWB_REQUIREMENT],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600, env=QUIET_ENV)
            if done.returncode != 0:
                pytest.fail(f"cannot set up pywb in {venv}: {' '.join(step[-2:])}: {done.stderr[-2000:]}")
        ready.touch()
    return venv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Message
    body: bytes


def http_get(port: int, target: str, headers: dict[str, str] | None = None) -> Reply:
    """GET `target` from the loopback server on `port`, sending no header but `headers`.

    http.client leaves Accept-Encoding alone when it is given, so a test decides whether
    the server may answer compressed.
    """
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", target, headers=headers or {})
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def _wait_until_up(proc: subprocess.Popen, port: int, probe: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError):
            if http_get(port, probe).status == 200:
                return True
        time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def wayback(root: Path, collection: str, *, attempts: int = 3, timeout: float = 30) -> Iterator[int]:
    """Run pywb's `wayback` on 127.0.0.1 with root/config.yaml; yield its port.

    The port is picked free just before the start; should another process take it in
    between, wayback exits and is started again on a new one.
    """
    command = pywb_venv() / "bin" / "wayback"
    log_path = root / "wayback.log"
    for _ in range(attempts):
        port = free_port()
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(command), "--bind", LOOPBACK, "--port", str(port), "--threads", "2"],
                cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=QUIET_ENV,
            )
            try:
                if _wait_until_up(proc, port, f"/{collection}/", time.monotonic() + timeout):
                    yield port
                    return
            finally:
                _stop(proc)
    pytest.fail(f"wayback did not start: {log_path.read_text(errors='replace')[-2000:]}")
