"""Attachments (附件): the documents articles link, told apart from web pages and read.

A government or campus notice often says little more than "详见附件": its substance is in
a .pdf, .docx, .xls, .ofd or .zip file. The crawler fetches and archives those files
(crawler/attachments.py); this package says what each one is and reads its text, the
same way during a crawl and when the dataset is rebuilt from the WARC files.

- `filetypes.py`: what a file is, from its own first bytes (magic), then from what the
  server sent (Content-Type, Content-Disposition) and the link: never the extension alone;
- `names.py`: the file name a server sends, in the encodings Chinese servers use;
- `reading.py`: a file's text and its status (ok, encrypted, scanned, ...), one reader per
  format: `pdf.py` (pypdfium2), `office.py` (python-docx), `sheets.py` (python-calamine:
  XLS, XLSX, ODS, ET), `ofd.py` (OFD, read as the zip of XML it is), `archives.py` (ZIP,
  bounded), `legacy.py` (Word 97-2003 and WPS files through antiword, when installed);
- `bounds.py`: reading in a child process with a time and a memory bound, so that no
  file (a zip bomb, a PDF that loops) can stall or exhaust the worker reading it.
"""
