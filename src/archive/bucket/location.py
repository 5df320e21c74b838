"""Where in object storage an archive goes (``s3://bucket/prefix``), and the connection to it.

The endpoint and credentials come from where every S3 tool looks: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN), AWS_PROFILE or the shared credentials file,
AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for an S3-compatible server, AWS_REGION.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archive.errors import BucketError, one_line

if TYPE_CHECKING:
    from pyarrow.fs import S3FileSystem

# S3's rule for bucket names, loosened to what S3-compatible servers also accept (dots, caps).
_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_]{1,62}")
# Short enough that an unreachable endpoint is one line within seconds, not a minute of retries.
CONNECT_SECONDS = 5
REQUEST_SECONDS = 60
ATTEMPTS = 3


@dataclass(frozen=True)
class BucketLocation:
    bucket: str
    prefix: str  # without slashes at either end; "" for the bucket's root

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def path(self, key: str = "") -> str:
        """The path pyarrow's S3 file system gives the object `key` under the prefix."""
        return "/".join(part for part in (self.bucket, self.prefix, key) if part)

    def url(self, key: str) -> str:
        return f"{self}/{key}"


def parse_location(url: str) -> BucketLocation:
    """``s3://bucket`` or ``s3://bucket/some/prefix``; BucketError naming the URL otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or parts.query or parts.fragment:
        raise BucketError(f"{url}: not an object storage address (s3://bucket/prefix)")
    if not _BUCKET.fullmatch(parts.netloc):
        raise BucketError(f"{url}: {parts.netloc!r} is not a bucket name (s3://bucket/prefix)")
    prefix = parts.path.strip("/")
    if any(segment in ("", ".", "..") for segment in prefix.split("/")) and prefix:
        raise BucketError(f"{url}: the prefix has an empty, '.' or '..' segment")
    return BucketLocation(parts.netloc, prefix)


def endpoint_from_env() -> str | None:
    """The S3-compatible server the AWS tools would use, if one is set."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def connect(location: BucketLocation, endpoint: str | None = None) -> S3FileSystem:
    """pyarrow's S3 file system for `location`: nothing is sent until it is used."""
    from pyarrow.fs import AwsStandardS3RetryStrategy, S3FileSystem

    options: dict = {"connect_timeout": CONNECT_SECONDS, "request_timeout": REQUEST_SECONDS,
                     "retry_strategy": AwsStandardS3RetryStrategy(max_attempts=ATTEMPTS)}
    endpoint = endpoint or endpoint_from_env()
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise BucketError(f"{location}: endpoint {endpoint!r} is not http(s)://host[:port]")
        options.update(endpoint_override=parts.netloc, scheme=parts.scheme)
        # An S3-compatible server seldom has regions; pyarrow would otherwise ask AWS for one.
        options["region"] = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options.update(_credentials(location))
    return S3FileSystem(**options)


def _credentials(location: BucketLocation) -> dict:
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        return {"access_key": key, "secret_key": secret, "session_token": os.environ.get("AWS_SESSION_TOKEN")}
    shared = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or Path.home() / ".aws" / "credentials")
    if os.environ.get("AWS_PROFILE") or shared.is_file():
        return {}  # the SDK's own chain reads the profile
    # Left to the SDK, it would go on to ask a cloud machine's metadata address, and wait.
    raise BucketError(f"{location}: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                      "or AWS_PROFILE)")


# pyarrow's S3 errors carry the SDK's error name: the ones a user can do something about.
_CAUSES = {
    "NO_SUCH_BUCKET": "no such bucket",
    "NETWORK_CONNECTION": "the endpoint cannot be reached",
    "ACCESS_DENIED": "access denied (check the credentials and the bucket's policy)",
    "INVALID_ACCESS_KEY_ID": "the access key is not known to the server (AWS_ACCESS_KEY_ID)",
    "SIGNATURE_DOES_NOT_MATCH": "the secret key does not match the access key (AWS_SECRET_ACCESS_KEY)",
}


def bucket_error(exc: OSError, where: str) -> BucketError:
    """One line naming `where` (the bucket or an object's URL) and what went wrong."""
    message = one_line(exc)
    for name, cause in _CAUSES.items():
        if f"AWS Error {name}" in message:
            return BucketError(f"{where}: {cause} ({message})" if name == "NETWORK_CONNECTION"
                               else f"{where}: {cause}")
    return BucketError(f"{where}: {message}")
