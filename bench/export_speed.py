"""`archive export` against DuckDB running the same query on the same files.

Builds a synthetic article dataset (1,000,000 rows by default, 20 sites, two years of
capture days, realistic text lengths) in the project's own layout and schema, then
times, each as a fresh process:
- `archive export --site A --site B ... --since --until --format parquet|csv -o FILE`
- DuckDB: COPY (SELECT * ... WHERE site IN (...) AND published_date in range) TO FILE

    python bench/export_speed.py [--rows 1000000] [--repeat 3]

Each command runs --repeat times, the two sides taking turns so both see the same machine
load; the medians are compared. Target: each export within 2x of DuckDB's time (ratio <= 2.0).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from archive.dataset.schema import ARTICLE_SCHEMA

ARCHIVE = str(Path(sys.executable).with_name("archive"))
SITES = [f"site{i:02d}" for i in range(20)]
CHOSEN_SITES = SITES[:5]
BEIJING = ZoneInfo("Asia/Shanghai")
SINCE, UNTIL = date(2025, 7, 1), date(2025, 12, 31)
SENTENCES = [
    "会议强调，要坚持问题导向，狠抓工作落实，确保各项任务按时保质完成。",
    "近日，我市组织开展秋季安全生产大检查，对重点企业逐一排查隐患。",
    "学校召开本学期教学工作推进会，部署课程建设和教学质量提升工作。",
    "县农业农村局组织技术人员深入田间地头，指导农户做好秋收秋种。",
    "据统计，前三季度全市规模以上工业增加值同比增长百分之七点四。",
    "活动现场，志愿者为群众提供政策咨询、健康义诊等便民服务。",
    "下一步，将持续完善工作机制，推动各项政策措施落地见效。",
    "=SUM(A1:A9) 这一行故意以等号开头，导出时必须被中和。",
]


def synthetic_table(site: str, day: date, rows: int, rng: random.Random, start: int) -> pa.Table:
    fetched = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=3)
    columns = {name: [None] * rows for name in ARTICLE_SCHEMA.names}
    columns["url"] = [f"https://{site}.example.cn/a/{start + i}.html" for i in range(rows)]
    columns["title"] = [f"{site} 第{start + i}号稿件" for i in range(rows)]
    columns["text"] = ["\n".join(rng.choices(SENTENCES, k=rng.randint(4, 14))) for _ in range(rows)]
    columns["published_at"] = [fetched - timedelta(hours=rng.randint(1, 48)) for _ in range(rows)]
    columns["published_date"] = [moment.astimezone(BEIJING).date() for moment in columns["published_at"]]
    columns["fetched_at"] = [fetched] * rows
    columns["source"] = [rng.choice(["新华社", "本网", None]) for _ in range(rows)]
    columns["author"] = [rng.choice(["张三", "李四 王五", None]) for _ in range(rows)]
    columns["views"] = [rng.randint(0, 5000) for _ in range(rows)]
    columns["warc_file"] = [f"warc/{site}-x.warc.gz"] * rows
    columns["warc_offset"] = [i * 4000 for i in range(rows)]
    columns["warc_record_id"] = [f"<urn:uuid:{site}-{start + i}>" for i in range(rows)]
    columns["extractor_version"] = ["bench"] * rows
    columns["page_count"] = [1] * rows
    columns["attachments"] = [[] for _ in range(rows)]
    return pa.table(columns, schema=ARTICLE_SCHEMA)


def build_dataset(root: Path, total: int) -> None:
    rng = random.Random(7)
    days = [date(2025, 1, 1) + timedelta(days=30 * i) for i in range(24)]
    per_file = total // (len(SITES) * len(days))
    serial = 0
    for site in SITES:
        for day in days:
            directory = root / f"site={site}" / f"capture_date={day.isoformat()}"
            directory.mkdir(parents=True)
            pq.write_table(synthetic_table(site, day, per_file, rng, serial), directory / "part-bench.parquet",
                           compression="zstd")
            serial += per_file


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {result.stderr[-2000:]}")
    return time.perf_counter() - started


def duckdb_command(root: Path, target: Path, fmt: str) -> list[str]:
    sites = ", ".join(f"'{s}'" for s in CHOSEN_SITES)
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
    query = (f"COPY (SELECT * FROM read_parquet('{root}/**/*.parquet', hive_partitioning=true) "
             f"WHERE site IN ({sites}) AND published_date >= DATE '{SINCE}' "
             f"AND published_date <= DATE '{UNTIL}') TO '{target}' ({options})")
    return [sys.executable, "-c", f"import duckdb; duckdb.sql({query!r})"]


def archive_command(data: Path, target: Path, fmt: str) -> list[str]:
    sites = [arg for s in CHOSEN_SITES for arg in ("--site", s)]
    return [ARCHIVE, "export", "--data", str(data), *sites, "--since", SINCE.isoformat(),
            "--until", UNTIL.isoformat(), "--format", fmt, "-o", str(target)]


def rows_in(path: Path, fmt: str) -> int:
    if fmt == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with open(path, encoding="utf-8-sig") as fh:
        import csv

        return sum(1 for _ in csv.reader(fh)) - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (median reported)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        started = time.perf_counter()
        build_dataset(tmp / "data" / "articles", args.rows)
        print(f"dataset: {args.rows:,} rows in {len(SITES)} sites, built in {time.perf_counter() - started:.1f}s")
        print(f"query: {len(CHOSEN_SITES)} sites, published {SINCE} .. {UNTIL}")
        print(f"times: median of {args.repeat} fresh processes each\n")
        print(f"{'format':<8}{'archive s':>11}{'duckdb s':>10}{'ratio':>8}  target  rows")
        met = True
        for fmt in ("parquet", "csv"):
            runs: dict[str, list[float]] = {"ours": [], "theirs": []}
            for _ in range(args.repeat):
                runs["ours"].append(timed(archive_command(tmp / "data", tmp / f"ours.{fmt}", fmt)))
                runs["theirs"].append(timed(duckdb_command(tmp / "data" / "articles", tmp / f"duck.{fmt}", fmt)))
            ours, theirs = statistics.median(runs["ours"]), statistics.median(runs["theirs"])
            ratio = ours / theirs
            met &= ratio <= 2.0
            rows, duck_rows = rows_in(tmp / f"ours.{fmt}", fmt), rows_in(tmp / f"duck.{fmt}", fmt)
            same = "" if rows == duck_rows else f" (duckdb: {duck_rows})"
            print(f"{fmt:<8}{ours:>11.2f}{theirs:>10.2f}{ratio:>8.2f}  <= 2.0  {rows:,}{same}")
        print(f"\ntarget met: {'yes' if met else 'no'}")
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
