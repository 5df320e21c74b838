"""The summary printed after a crawl: the site's own dead links and the links refused by
rule are counted apart from what went wrong, and every column says what it counts."""

from tests.conftest import run_archive
from tests.reliability.conftest import write_site
from tests.reliability.hostile import ARTICLE, HostileServer, Page, links


def summary_rows(stdout: str) -> dict[str, dict[str, str]]:
    lines = stdout.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("site ")))
    names = ["site", "fetched", "articles", "revisits", "dead links", "refused", "failures", "finish"]
    assert " ".join(lines[header].split()) == " ".join(names)
    rows = {}
    for line in lines[header + 2:]:
        if not line.strip():
            break
        values = line.split()
        rows[values[0]] = dict(zip(names, values, strict=True))
    return rows


def routes(server: HostileServer, path: str) -> Page | None:
    fixed = {
        "/robots.txt": Page(200, "User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}),
        "/": Page(200, links("/ok/1.html", "/gone.html", "/removed.html", "/private/x.html", "/forbidden.html",
                             "/broken.html")),
        "/ok/1.html": Page(200, ARTICLE),
        "/removed.html": Page(410, "<html><body>gone for good</body></html>"),
        "/forbidden.html": Page(403, "<html><body>no</body></html>"),
        "/broken.html": Page(500, "<html><body>oops</body></html>"),
    }
    return fixed.get(path)  # /gone.html: 404


def test_dead_links_and_refusals_are_not_failures(tmp_path):
    with HostileServer(routes) as server:
        write_site(tmp_path / "sites", "mixed", start_urls=[server.base + "/"], allow_addresses=["127.0.0.1"],
                   delay=0.0)
        result = run_archive("crawl", "mixed", "--sites", str(tmp_path / "sites"), "--out", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr[-2000:]
    row = summary_rows(result.stdout)["mixed"]
    # 404 and 410 are dead links; robots.txt refused one; the 403 and the 500 (tried 3 times) failed.
    assert (row["dead links"], row["refused"], row["failures"]) == ("2", "1", "4"), result.stdout
    for column in ("fetched", "articles", "revisits", "dead links", "refused", "failures"):
        assert any(line.startswith(f"{column:<12}") for line in result.stdout.splitlines()), column


def test_the_demo_shows_no_failures(demo_crawl):
    _server, _out, result = demo_crawl
    rows = summary_rows(result.stdout)
    assert rows and all(row["failures"] == "0" for row in rows.values()), result.stdout
    assert all(row["dead links"] == "1" for row in rows.values())  # each demo site links one missing page
