"""A site's `[attachments]` table: whether its articles' files are fetched, how large a
file may be, and which types are wanted.

```toml
[attachments]
enabled = true          # fetch the files articles link (default)
max_mb = 30             # a larger file is archived as its headers only, status too_large
types = ["pdf", "docx", "doc", "xlsx", "xls", "ofd", "zip"]   # default: every type but image
```

The type of a file is known for sure only once it is fetched (filetypes.py): `types`
refuses a link whose address or text names another type, and a file whose Content-Type
or sent file name does once its headers arrive (it is then not archived at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.attachments.filetypes import FILE_TYPES

# A WARC body decoding past 64 MB is taken for a compression bomb when read back
# (archive.warc.reader.MAX_DECODED_BODY): a file is kept well below that.
MAX_MB = 60
DEFAULT_TYPES = tuple(name for name in FILE_TYPES if name not in ("image", "unknown"))
# Content-Types naming a type (servers of static files send them; download scripts
# mostly send application/octet-stream, which names none).
MEDIA_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/ofd": "ofd",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar",
    "application/x-7z-compressed": "7z",
    "text/plain": "txt",
    "text/csv": "csv",
}


@dataclass(frozen=True)
class AttachmentPolicy:
    enabled: bool = True
    max_mb: float = 30.0
    types: tuple[str, ...] = DEFAULT_TYPES

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)

    def wants(self, file_type: str | None) -> bool:
        """Whether a file of `file_type` (None: not known yet) is to be fetched."""
        return file_type is None or file_type == "unknown" or file_type in self.types


def media_type_of(content_type: str) -> str | None:
    """The file type a Content-Type names, if any."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media.startswith("image/"):
        return "image"
    return MEDIA_TYPES.get(media)


def attachment_policy(value: Any) -> AttachmentPolicy:
    """The `[attachments]` table of a site file; ValueError naming the key at fault."""
    if not isinstance(value, dict):
        raise ValueError("attachments: expected a table with enabled, max_mb, types")
    for key in value:
        if key not in ("enabled", "max_mb", "types"):
            raise ValueError(f"attachments.{key}: unknown key (known keys: enabled, max_mb, types)")
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"attachments.enabled: expected true or false, got {type(enabled).__name__}")
    max_mb = value.get("max_mb", 30)
    if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or not 0 < max_mb <= MAX_MB:
        raise ValueError(f"attachments.max_mb: expected a number of megabytes above 0 and at most {MAX_MB}, "
                         f"got {max_mb!r}")
    types = value.get("types", list(DEFAULT_TYPES))
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise ValueError("attachments.types: expected a list of file types such as [\"pdf\", \"docx\"]")
    for index, name in enumerate(types):
        if name not in FILE_TYPES:
            raise ValueError(f"attachments.types[{index}]: {name!r} is not a file type (known: "
                             f"{', '.join(FILE_TYPES)})")
    return AttachmentPolicy(enabled, float(max_mb), tuple(dict.fromkeys(types)))
