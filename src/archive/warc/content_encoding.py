"""Undo an archived response's HTTP Content-Encoding, with a bound on the decoded size.

WARC records keep bodies as the server sent them, compressed or not. The crawler
accepts gzip, deflate, br and zstd, so reading a record back must undo all four; and a
body that inflates beyond the bound (a compression bomb) must fail early, never fill
the memory of an extraction worker.
"""

from __future__ import annotations

import io
import zlib

try:
    import brotli
except ImportError:  # pragma: no cover - Scrapy depends on it, so it is normally there
    brotli = None
try:
    from backports import zstd
except ImportError:  # pragma: no cover - Python 3.14 has it in the standard library
    try:
        from compression import zstd  # type: ignore[no-redef]
    except ImportError:
        zstd = None

_STEP = 1 << 20


class TooLarge(Exception):
    """The decoded body would exceed the bound."""


class _Output:
    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(f"larger than {self.limit} bytes once decoded")
        self.parts.append(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def _zlib(data: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits=wbits)
    out = _Output(limit)
    out.add(inflater.decompress(data, _STEP))
    while inflater.unconsumed_tail and not inflater.eof:
        out.add(inflater.decompress(inflater.unconsumed_tail, _STEP))
    return out.value()


def _gzip(data: bytes, limit: int) -> bytes:
    return _zlib(data, 16 + zlib.MAX_WBITS, limit)


def _deflate(data: bytes, limit: int) -> bytes:
    try:
        return _zlib(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        # Some servers send raw deflate without the zlib wrapper.
        return _zlib(data, -zlib.MAX_WBITS, limit)


def _brotli(data: bytes, limit: int) -> bytes:
    if brotli is None:
        raise ValueError("brotli is not installed")
    decompressor = brotli.Decompressor()
    out = _Output(limit)
    out.add(decompressor.process(data, output_buffer_limit=_STEP))
    while not decompressor.is_finished():
        chunk = decompressor.process(b"", output_buffer_limit=_STEP)
        if not chunk:
            break
        out.add(chunk)
    return out.value()


def _zstd(data: bytes, limit: int) -> bytes:
    if zstd is None:
        raise ValueError("zstd support is not installed")
    out = _Output(limit)
    with zstd.ZstdFile(io.BytesIO(data)) as reader:
        while chunk := reader.read(_STEP):
            out.add(chunk)
    return out.value()


DECODERS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd}


def decode_content(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """`body` with its content codings undone (last applied first).

    Raises TooLarge past `limit`. A body its header mislabels (not really compressed,
    or cut short) comes back as it is, as a browser would show what it can; an unknown
    coding is left alone.
    """
    if len(body) > limit:
        raise TooLarge(f"larger than {limit} bytes")
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        decoder = DECODERS.get(coding)
        if decoder is None or coding == "identity":
            continue
        try:
            body = decoder(body, limit)
        except TooLarge:
            raise
        except Exception:  # zlib.error, brotli.error, zstd.ZstdError, EOFError, ValueError
            return body
    return body
