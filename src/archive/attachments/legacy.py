"""Word 97-2003 files (.doc) and WPS Writer files (.wps, Word's format inside) through
antiword, a small GPL program run as a separate process (Debian: `apt-get install
antiword`). Where it is not installed the file is "unsupported", saying so, never an
error; WPS Spreadsheets (.et) files are read as the XLS files they are (sheets.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from archive.attachments.reading import FileText, ReadLimits, Unreadable

ANTIWORD = "antiword"


def read_word97(body: bytes, limits: ReadLimits) -> FileText:
    program = shutil.which(ANTIWORD)
    if program is None:
        raise Unreadable("unsupported", "a Word 97-2003 file: reading it needs antiword, not installed here "
                                        "(apt-get install antiword)")
    with tempfile.NamedTemporaryFile(suffix=".doc") as file:
        file.write(body)
        file.flush()
        try:
            # UTF-8 output, no line wrapping; its mapping files come with the package
            done = subprocess.run([program, "-m", "UTF-8.txt", "-w", "0", file.name], capture_output=True,
                                  timeout=limits.seconds, env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            raise Unreadable("timed_out", f"antiword took longer than {limits.seconds:g} s") from None
    if done.returncode != 0:
        complaint = " ".join(done.stderr.decode("utf-8", errors="replace").split())[:200] or \
            f"exit status {done.returncode}"
        status = "encrypted" if "ncrypt" in complaint else "corrupt"
        raise Unreadable(status, f"antiword: {complaint}")
    text = done.stdout.decode("utf-8", errors="replace")
    return FileText("ok", "\n".join(line.strip() for line in text.split("\n")))
