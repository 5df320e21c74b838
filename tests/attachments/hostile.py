"""Files built to hurt their reader, and damaged or locked ones, for the attachment tests.

- form_bomb: a PDF of a few kB whose page draws a form that draws the next one twice, 40
  levels down: 2^40 text draws, which keeps pdfium working (and allocating) for hours;
- zip_bomb: a ZIP of 3 MB whose member inflates to 3.9 GB of zeros (its declared size,
  or, with `lying`, a declared size of 1 kB);
- encrypted_pdf: a PDF under the standard security handler (RC4, 40 bits) with a user
  password, as government offices lock their files;
- scanned_pdf: a PDF whose page is only an image: no text layer.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

from archive.demo.documents import pdf_file, pdf_pages, pdf_stream, text_operators

ZERO_MB = b"\0" * (1 << 20)
BOMB_MB = 3900


def form_bomb(depth: int = 40) -> bytes:
    forms = []
    for level in range(depth):
        number = 2 + level  # object 1 is the font
        if level == depth - 1:
            content, resources = text_operators(["字"]), b"<< /Font << /F1 1 0 R >> >>"
        else:
            content, resources = b"q /X Do Q q /X Do Q", b"<< /XObject << /X %d 0 R >> >>" % (number + 1)
        forms.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources %s /Length %d >>\nstream\n"
                     % (resources, len(content)) + content + b"\nendstream")
    objects, root = pdf_pages([pdf_stream(b"/X Do")], resources=b"<< /XObject << /X 2 0 R >> >>", extra=forms)
    return pdf_file(objects, root)


def zip_bomb(name: str = "报表.xlsx", *, lying: bool = False, member_dirs: tuple[str, ...] = ()) -> bytes:
    """One member of BOMB_MB megabytes of zeros (deflated blocks repeated, byte-aligned by
    full flushes), written by hand: zipfile would have to inflate it all to write it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(ZERO_MB) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * BOMB_MB + compressor.flush()
    crc = 0
    for _ in range(BOMB_MB):
        crc = zlib.crc32(ZERO_MB, crc)
    size = 1024 if lying else BOMB_MB << 20
    members = [(directory, b"", 0, 0, 0) for directory in member_dirs] + [(name, data, crc, size, 8)]
    out, central = bytearray(), bytearray()
    for member, payload, checksum, plain, method in members:
        encoded = member.encode("utf-8")
        offset = len(out)
        fields = (20, 0x800, method, 0, 0x5353, checksum, len(payload), plain, len(encoded), 0)
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + encoded + payload
        central += b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + b"PK\x05\x06" + end)


_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def encrypted_pdf(lines: list[str], user_password: bytes = b"secret", owner_password: bytes = b"owner") -> bytes:
    """PDF 1.4 standard security, revision 2 (ISO 32000-1, 7.6.3): the page's content
    stream encrypted with the object key derived from the user password."""
    padded = (user_password + _PAD)[:32]
    owner = _rc4(hashlib.md5((owner_password + _PAD)[:32]).digest()[:5], padded)
    document_id = hashlib.md5(b"".join(line.encode() for line in lines)).digest()
    permissions = -4
    key = hashlib.md5(padded + owner + struct.pack("<i", permissions) + document_id).digest()[:5]
    user = _rc4(key, _PAD)
    content = zlib.compress(text_operators(lines))
    # object 2 is the page's content stream (pdf_pages puts it right after the font)
    object_key = hashlib.md5(key + struct.pack("<I", 2)[:3] + b"\0\0").digest()[:10]
    sealed = _rc4(object_key, content)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(sealed) + sealed + b"\nendstream"
    objects, root = pdf_pages([stream])
    objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
                   % (owner.hex().encode(), user.hex().encode(), permissions))
    trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), document_id.hex().encode(),
                                                     document_id.hex().encode())
    return pdf_file(objects, root, trailer)


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages holding an 8x8 grey image each, as a scanner's PDF holds its page photos."""
    pixels = bytes(range(0, 256, 4))
    image = (b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8"
             b" /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream")
    draw = pdf_stream(b"q 500 0 0 700 50 70 cm /Im1 Do Q", compress=False)
    objects, root = pdf_pages([draw] * pages, resources=b"<< /XObject << /Im1 2 0 R >> >>", extra=[image])
    return pdf_file(objects, root)
