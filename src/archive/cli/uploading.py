"""`archive upload`, and the upload `archive crawl --upload` makes after its crawl."""

from __future__ import annotations

from pathlib import Path

import click

from archive.cli import data_option, main

endpoint_option = click.option(
    "--endpoint", metavar="URL",
    help="An S3-compatible server (MinIO, Ceph, ...): http(s)://host[:port].  [default: AWS_ENDPOINT_URL_S3 or "
         "AWS_ENDPOINT_URL, else AWS S3]",
)


class Uploader:
    """A bucket location, checked when made (before a crawl of hours, not after it)."""

    def __init__(self, url: str, endpoint: str | None) -> None:
        from archive.bucket.location import connect, parse_location
        from archive.bucket.upload import objects_held

        self.location = parse_location(url)
        self.filesystem = connect(self.location, endpoint)
        objects_held(self.filesystem, self.location)

    def upload(self, data_dir: Path) -> None:
        """Upload what `data_dir` holds finished, printing each file uploaded and a summary."""
        from archive.bucket.upload import upload_data_dir

        def say(file) -> None:
            click.echo(f"uploaded {file.key} ({_size(file.size)})")

        result = upload_data_dir(data_dir, self.location, self.filesystem, say)
        left = f", {len(result.unfinished)} being written left for the next upload" if result.unfinished else ""
        click.echo(f"{self.location}: {len(result.uploaded)} files uploaded ({_size(result.bytes_uploaded)}), "
                   f"{len(result.already)} already there{left}")


def _size(count: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


@main.command()
@click.argument("url", metavar="s3://BUCKET[/PREFIX]")
@data_option
@endpoint_option
def upload(url, data_dir, endpoint) -> None:
    """Copy the finished files of a data directory into a bucket, under the same keys.

    WARC files, crawl indexes and the datasets (articles/, views/, changes/,
    attachments/) go to s3://BUCKET/PREFIX/warc/..., .../articles/site=.../..., and
    so on; a file the bucket holds already (same key and size) is not sent again. Files
    still being written (a running crawl's open WARC file, a dataset file under its
    temporary name, a site's files while `archive reextract` swaps them) are left for
    the next upload; the crawl state and locks stay on this machine. Credentials come
    from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).

    \b
    Examples:
      archive upload s3://news-archive --data /srv/archive
      archive upload s3://news-archive/2026 --data /srv/archive --endpoint http://minio-host:9000
    """
    if not data_dir.is_dir():
        raise click.ClickException(f"{data_dir}: no data directory here")
    Uploader(url, endpoint).upload(data_dir)
