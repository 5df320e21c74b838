"""The archive on object storage (S3 and S3-compatible servers: MinIO, Ceph, R2, ...).

`location` names a bucket and prefix and connects to it through pyarrow's S3 file system;
`finished` says which files of a data directory are whole and may leave it; `upload`
copies those a bucket does not hold yet, under the keys they have in the data directory,
so the bucket's `articles/` reads as the same hive-partitioned dataset.
"""
