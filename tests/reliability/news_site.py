"""A generated news site of realistic shape on a loopback address: a home page, lists of
articles paged with 下一页 links, and the articles; every page rendered once, in memory."""

from __future__ import annotations

from tests.reliability.hostile import HostileServer, Page

PER_LIST = 20
PARAGRAPH = ("会议强调，要坚持问题导向，狠抓工作落实，切实把各项部署要求落到实处，"
             "确保全年目标任务圆满完成，为经济社会高质量发展提供有力保障。")


def _article(number: int) -> str:
    body = "".join(f"<p>第{number}号稿件第{i}段：{PARAGRAPH}</p>" for i in range(5))
    return (f"<html><head><meta charset='utf-8'><title>示范县第{number}号工作动态_示范县人民政府</title></head><body>"
            "<div class='nav'><a href='/'>首页</a> <a href='/list/1.html'>工作动态</a></div>"
            f"<h1>示范县第{number}号工作动态</h1><div class='info'>发布时间：2026-{1 + number % 12:02d}-"
            f"{1 + number % 28:02d} 09:00 来源：示范县人民政府办公室</div>"
            f"<div class='content'>{body}</div></body></html>")


def _list(page: int, numbers: list[int], last: int) -> str:
    items = "".join(f"<li><a href='/a/{n}.html'>示范县第{n}号工作动态</a></li>" for n in numbers)
    following = f"<a href='/list/{page + 1}.html'>下一页</a>" if page < last else ""
    return (f"<html><head><meta charset='utf-8'><title>工作动态_示范县人民政府</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><ul>{items}</ul>{following}</body></html>")


class NewsSite(HostileServer):
    """`articles` articles, newest first, PER_LIST to a list page."""

    def __init__(self, articles: int, host: str = "127.0.0.1") -> None:
        last = -(-articles // PER_LIST)
        pages = {"/": Page(200, "<html><body><a href='/list/1.html'>工作动态</a></body></html>"),
                 "/robots.txt": Page(200, "User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})}
        for page in range(1, last + 1):
            numbers = list(range(articles - (page - 1) * PER_LIST, max(0, articles - page * PER_LIST), -1))
            pages[f"/list/{page}.html"] = Page(200, _list(page, numbers, last))
            for number in numbers:
                pages[f"/a/{number}.html"] = Page(200, _article(number))
        self.article_paths = {f"/a/{n}.html" for n in range(1, articles + 1)}
        self.host = host
        super().__init__(lambda server, path: pages.get(path), host)

    def site_values(self) -> dict:
        """The site file's keys for crawling this site."""
        return {"start_urls": [self.base + "/"], "allowed_domains": [self.host], "allow_addresses": [self.host],
                "follow": [r"/list/\d+\.html$"], "article": [r"/a/\d+\.html$"], "max_pages": 5000, "delay": 0.0}
