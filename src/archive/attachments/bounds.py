"""Reading a file in a child process, with a bound on its time and on its memory.

A file from the web may be built to hurt its reader: a ZIP that inflates to terabytes, a
PDF whose content stream keeps pdfium busy for an hour or asks it for gigabytes, a
damaged file that crashes a C library. The page bound of the workers (a SIGALRM timer,
archive.jobs.time_bound) cannot stop C code that never returns to the interpreter, and
a library that runs out of memory may abort the whole process, taking a worker of the
pool with it. So each file is read in a child forked from the worker: the child may add
at most `memory_mb` to the worker's address space (RLIMIT_AS), and is killed once it
has run for `seconds`. Whatever happens to the child, the worker gets a FileText back:
the text, or the reason there is none ("timed_out", "too_large", "corrupt").

A fork of a worker costs about a millisecond (its pages are shared, copy on write), and
the reader's modules are imported in the worker before it forks, once, not in each child.
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import json
import os
import resource
import select
import signal
import time
import warnings

from archive.attachments.reading import DEFAULT_LIMITS, STATUSES, FileText, ReadLimits, read_file, reader_of

_MB = 1024 * 1024


def read_bounded(body: bytes, file_type: str, limits: ReadLimits = DEFAULT_LIMITS) -> FileText:
    """`read_file(body, file_type, limits)` run in a child process within `limits`."""
    reader_of(file_type)  # its imports done here, once per worker, not in every child
    resident = _resident()
    reading, writing = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns of fork() in a process with threads; the child only reads
        # the file and leaves by os._exit, touching no lock another thread could hold.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(reading)
        _child(writing, body, file_type, limits)
    os.close(writing)
    try:
        answer, timed_out = _collect(reading, limits.seconds)
    finally:
        os.close(reading)
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
        _, status, usage = os.wait4(child, 0)
    if timed_out:
        return FileText("timed_out", reason=f"reading took longer than {limits.seconds:g} s and was stopped")
    try:
        return _from_json(answer)
    except ValueError:  # the child died before it answered: killed by a signal, or out of memory
        # ru_maxrss is in kB; a reader that died having filled half its bound ran out of it
        grown = usage.ru_maxrss * 1024 - resident
        return _death(status, limits, out_of_memory=grown >= limits.memory_mb * _MB // 2)


def _child(writing: int, body: bytes, file_type: str, limits: ReadLimits) -> None:  # pragma: no cover
    code = 0
    try:
        # A library dying of the memory bound says so on stderr (pdfium's abort, Python's
        # fault handler): the status says it once, the crawl's log need not.
        faulthandler.disable()
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        added = limits.memory_mb * _MB
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + added, _address_space() + added))
        # a second net under the wall clock: CPU seconds, should the parent be gone
        cpu = int(limits.seconds) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        found = read_file(body, file_type, limits)
        data = json.dumps(dataclasses.asdict(found), ensure_ascii=False).encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(writing, view):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _from_json(answer: bytes) -> FileText:
    """The child's answer; plain data only (JSON, not pickle): the child has handled a
    hostile file, and what it says must not be able to run code in the worker."""
    data = json.loads(answer)
    if not isinstance(data, dict) or set(data) != {f.name for f in dataclasses.fields(FileText)}:
        raise ValueError("not a reading's answer")
    if data["status"] not in STATUSES or any(not isinstance(data[k], str | None) for k in ("text", "reason")) \
            or any(not isinstance(data[k], int | None) for k in ("page_count", "sheet_count")):
        raise ValueError("not a reading's answer")
    return FileText(**data)


def _address_space() -> int:
    """This process's virtual memory size in bytes (the first field of /proc/self/statm)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _resident() -> int:
    """This process's resident memory in bytes (the second field of /proc/self/statm)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _collect(reading: int, seconds: float) -> tuple[bytes, bool]:
    """Everything the child writes, until it closes the pipe; (what came, whether the time ran out)."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", True
        ready, _, _ = select.select([reading], [], [], left)
        if not ready:
            return b"", True
        chunk = os.read(reading, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)


def _death(status: int, limits: ReadLimits, out_of_memory: bool) -> FileText:
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        return FileText("timed_out", reason=f"reading used more than {limits.seconds:g} s of CPU")
    if out_of_memory or not os.WIFSIGNALED(status):
        return FileText("too_large", reason=f"reading it needs more than {limits.memory_mb} MB (the bound) and was "
                                            "stopped")
    number = os.WTERMSIG(status)
    name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
    return FileText("corrupt", reason=f"the reader crashed on it ({name})")
