"""Choosing the body among candidates: agreement between them and the checks a reader makes."""

from __future__ import annotations

from datetime import UTC, datetime

from archive.extract import extract_article
from archive.extract.agreement import Candidate, Choice
from archive.extract.kinds import LinkItems
from archive.extract.lines import squash
from archive.records import FetchedPage
from tests.extract.conftest import STORY

COMMENTS = ["网友评论", "热门跟贴", "张三：说得好，支持！", "李四", "为您推荐", "热点新闻", "点击排行",
            "江城地铁三号线开通运营", "江城夜市烟火气十足"]
RELATED = ["江城地铁三号线开通运营首日客流创新高", "江城夜市烟火气十足吸引大批游客", "江城举办第十届读书节活动",
           "江城新增两座城市公园对外开放", "江城中小学秋季开学工作准备就绪"]


class Starts:
    """Candidates placed by engine: the line under the headline each one's text starts on."""

    def __init__(self, starts: dict[str, int] | None) -> None:
        self.starts = starts or {}

    def distance(self, candidate: Candidate) -> int | None:
        return self.starts.get(candidate.engine, 3)

    def text_goes_on(self, candidate: Candidate) -> bool:
        return False


def choose(*candidates: Candidate, links: set[str] = frozenset(), starts: dict[str, int] | None = None):
    choice = Choice(LinkItems(set(links)), Starts(starts))
    for candidate in candidates:
        choice.add(candidate)
    chosen, quality = choice.choose()
    return chosen.engine, quality


def test_a_comment_section_loses_to_the_story_under_the_headline() -> None:
    assert choose(Candidate("trafilatura", COMMENTS), Candidate("readability", STORY)) == ("readability", "ok")


def test_a_list_of_related_headlines_loses_to_the_story() -> None:
    links = {squash(line) for line in RELATED}
    assert choose(Candidate("trafilatura", RELATED), Candidate("readability", STORY), links=links) == (
        "readability", "ok")


def test_a_lone_disclaimer_loses_to_the_story() -> None:
    disclaimer = ["免责声明：本文仅代表作者个人观点，与本网无关。"]
    assert choose(Candidate("readability", disclaimer), Candidate("trafilatura", STORY)) == ("trafilatura", "ok")


def test_a_part_of_the_text_loses_to_the_whole_that_holds_it() -> None:
    assert choose(Candidate("trafilatura", STORY[:1]), Candidate("readability", STORY)) == ("readability", "ok")


def test_when_every_candidate_fails_the_best_is_kept_and_the_record_says_why() -> None:
    links = {squash(line) for line in RELATED}
    assert choose(Candidate("trafilatura", RELATED), Candidate("readability", []), links=links) == (
        "trafilatura", "links")
    assert choose(Candidate("trafilatura", COMMENTS), Candidate("readability", RELATED), links=links) == (
        "readability", "links")


def test_two_sound_texts_that_disagree_the_one_under_the_headline_wins() -> None:
    other = ["另一篇文章的正文在页面下方，讲述了城郊乡村振兴的新做法和新成效，篇幅还要更长一些。" * 3]
    starts = {"trafilatura": 2, "readability": 40}
    assert choose(Candidate("trafilatura", STORY), Candidate("readability", other), starts=starts)[0] == "trafilatura"
    starts = {"trafilatura": 40, "readability": 2}
    assert choose(Candidate("trafilatura", STORY), Candidate("readability", other), starts=starts)[0] == "readability"


def test_of_two_agreeing_texts_lines_only_one_has_count_when_they_read_as_sentences() -> None:
    captioned = [*STORY, "江城安全生产会议现场"]
    assert choose(Candidate("trafilatura", captioned), Candidate("readability", STORY))[0] == "readability"
    fuller = [*STORY, "会议要求，各地要在月底前完成一轮隐患排查，并将整改情况报市安委会办公室。"]
    assert choose(Candidate("trafilatura", STORY), Candidate("readability", fuller))[0] == "readability"


def test_a_blogroll_one_engine_kept_above_the_post_leaves_it() -> None:
    blogroll = ["竹林听雨[个人主页]", "江城论坛", "乡土文化网[红网]", "老街故事", "示例书库[电子书]", "读书频道"]
    links = {"竹林听雨", "江城论坛", "乡土文化网", "老街故事", "示例书库", "读书频道"}
    chosen = choose(Candidate("trafilatura", [*blogroll, *STORY]), Candidate("readability", STORY), links=links)
    assert chosen == ("readability", "ok")


def test_a_family_container_wins_among_the_candidates_that_agree_with_it() -> None:
    assert choose(Candidate("trs", STORY, container=object()), Candidate("trafilatura", STORY),
                  Candidate("readability", COMMENTS))[0] == "trs"
    # a container the engines both contradict is a widget that reuses the class name
    widget = ["江城天气：今天晴，最高气温二十六度，最低气温十五度，东南风二到三级，空气质量良好。"]
    assert choose(Candidate("trs", widget, container=object()), Candidate("trafilatura", STORY),
                  Candidate("readability", STORY))[0] == "trafilatura"


def _page(body: str) -> FetchedPage:
    head = "<meta charset='utf-8'><title>江城召开安全生产会议_江城新闻网</title>"
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return FetchedPage(url="https://news.example.com/2026/1019/1.html", status=200, headers={},
                       body=html.encode(), fetched_at=datetime(2026, 10, 19, tzinfo=UTC))


def test_records_say_whether_their_body_passed_the_checks() -> None:
    story = "".join(f"<p>{line}</p>" for line in STORY)
    head = "<h1>江城召开安全生产会议</h1><div class='info'>2026-10-19 来源：江城日报</div>"
    record = extract_article([_page(f"{head}<div class='article'>{story}</div>")], site="s")
    assert record is not None and record.quality == "ok"
    # a page whose only text is its comment section: the record is kept, and marked
    comments = "".join(f"<p>{line}</p>" for line in COMMENTS)
    doomed = extract_article([_page(f"{head}<div class='main'>{comments}</div>")], site="s")
    assert doomed is not None and doomed.quality == "comments" and "热门跟贴" in doomed.text


def test_a_second_engine_runs_only_when_the_first_body_is_in_doubt() -> None:
    from archive.extract.page import read_page
    from archive.records import ExtractionRules

    head = "<h1>江城召开安全生产会议</h1><div class='info'>2026-10-19 来源：江城日报</div>"
    more = ["会议要求，各地要在月底前完成一轮隐患排查，并将整改情况报市安委会办公室。",
            "会议还通报了上半年全市安全生产考核情况，对工作成效突出的单位进行了表扬。",
            "与会人员表示，将把会议精神迅速传达到基层一线，以钉钉子精神抓好各项工作落实。"]
    story = "".join(f"<p>{line}</p>" for line in [*STORY, *more])
    sound = read_page(_page(f"{head}<div class='article'>{story}</div>"), ExtractionRules())
    assert sound is not None and [candidate.engine for candidate in sound.candidates] == ["trafilatura"]
    short = read_page(_page(f"{head}<div class='article'><p>{STORY[0]}</p></div>"), ExtractionRules())
    assert short is not None and [candidate.engine for candidate in short.candidates] == ["trafilatura", "readability"]
    # a family's container that passes every check under the headline needs no engine
    trs = read_page(_page(f"{head}<div class='TRS_Editor'>{story}</div>"), ExtractionRules())
    assert trs is not None and [candidate.engine for candidate in trs.candidates] == ["trs"]


def test_a_body_the_page_goes_on_past_is_checked_by_the_second_engine() -> None:
    from archive.extract.placement import Placement

    more = ["会议要求，各地要在月底前完成一轮隐患排查，并将整改情况报市安委会办公室，逾期未报的将予以通报批评。",
            "会议还通报了上半年全市安全生产考核情况，对工作成效突出的单位和个人进行了通报表扬，并颁发了证书。"]
    first = [*STORY, "与会人员表示，将把会议精神迅速传达到基层一线，以钉钉子精神抓好各项工作落实。"]
    page = ["首页 新闻 城市", "江城召开安全生产会议", "2026-10-19 来源：江城日报", *first, "广告", *more, "版权所有"]
    placement = Placement([squash(line) for line in page], 1)
    cut_short = Candidate("trafilatura", first)
    assert placement.distance(cut_short) == 2
    assert placement.text_goes_on(cut_short)
    assert not placement.text_goes_on(Candidate("readability", [*first, *more]))
    for placed, settled in ((Starts({"trafilatura": 2}), True), (placement, False)):
        choice = Choice(LinkItems(set()), placed)
        choice.add(cut_short)
        assert choice.settled() is settled
