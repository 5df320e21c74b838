"""Two versions of an article compared on their records: what differs, and how much it matters."""

from datetime import UTC, datetime, timedelta, timezone

from archive.changes.classify import METADATA, MINOR, REPLACED, SUBSTANTIVE
from archive.changes.diff import RecordDiff, char_spans, compare
from archive.changes.render import diff_html, diff_text
from archive.records import ArticleRecord, Attachment

PARAGRAPHS = [
    "会议强调，各乡镇各部门要切实履行安全生产责任，深入开展隐患排查治理。",
    "会议要求，要聚焦道路交通、危险化学品、建筑施工等重点行业领域，持续开展专项整治行动。",
    "会议指出，要加强应急值守，严格落实领导带班和二十四小时值班制度。",
    "会议部署了下一阶段重点工作，要求各单位对照任务清单逐项落实。",
]
BEIJING = timezone(timedelta(hours=8))


def version(paragraphs=PARAGRAPHS, **values) -> ArticleRecord:
    fields = {"title": "县政府召开秋季安全生产工作会议", "source": "县应急管理局", "author": "张三",
              "published_at": datetime(2026, 11, 20, 8, 21, tzinfo=BEIJING), **values}
    return ArticleRecord(url="http://a/1.htm", site="s", text="\n".join(paragraphs), **fields)


def test_nothing_compared_differs():
    again = version(views=999, fetched_at=datetime.now(UTC), content_sha1="x", extractor_version="9")
    assert compare(version(), again) is None


def test_a_count_printed_in_the_text_and_spacing_are_moving_parts():
    before = version([*PARAGRAPHS, "浏览次数：123", "您是第5678位访问者"])
    after = version([p.replace("，", "， ") for p in PARAGRAPHS] + ["浏览次数： 130", "您是第5690位访问者"])
    assert compare(before, after) is None


def test_a_word_added_in_one_paragraph_is_a_minor_edit_of_that_paragraph():
    changed = list(PARAGRAPHS)
    changed[1] = changed[1].replace("建筑施工", "建筑施工、燃气")
    diff = compare(version(), version(changed))
    assert diff.fields == ["text"] and diff.change_class == MINOR
    [part] = diff.changes[0].parts
    assert (part.op, part.before_index, part.after_index) == ("changed", 2, 2)
    assert part.spans == (("=", PARAGRAPHS[1][:23]), ("+", "、燃气"), ("=", PARAGRAPHS[1][23:]))
    assert diff_text(diff) == f"text ¶2: {PARAGRAPHS[1][:23]}{{+、燃气+}}{PARAGRAPHS[1][23:]}"


def test_long_unchanged_stretches_are_cut_to_the_context_of_a_change():
    long = "一" * 100 + "二" + "三" * 100
    diff = compare(version([long]), version([long.replace("二", "四")]))
    assert diff_text(diff) == "text ¶1: …" + "一" * 30 + "[-二-]{+四+}" + "三" * 30 + "…"


def test_a_changed_number_is_substantive_however_small():
    before = version([*PARAGRAPHS[:3], "事故造成3人受伤。"])
    after = version([*PARAGRAPHS[:3], "事故造成5人受伤。"])
    diff = compare(before, after)
    assert diff.change_class == SUBSTANTIVE
    assert "事故造成[-3-]{+5+}人受伤。" in diff_text(diff)


def test_paragraphs_added_and_removed():
    after = [PARAGRAPHS[0], PARAGRAPHS[2], "会议还通报了近期典型事故案例。", PARAGRAPHS[3]]
    diff = compare(version(), version(after))
    ops = [(p.op, p.before_index, p.after_index) for p in diff.changes[0].parts]
    assert ops == [("removed", 2, None), ("added", None, 3)]
    assert diff.change_class == SUBSTANTIVE
    assert diff_text(diff).splitlines() == [f"text ¶2 removed: [-{PARAGRAPHS[1]}-]",
                                            "text ¶3 added: {+会议还通报了近期典型事故案例。+}"]


def test_a_new_body_is_replaced():
    diff = compare(version(), version(["因故撤回，详见后续通知。", "特此说明。"]))
    assert diff.change_class == REPLACED and diff.similarity < 0.5


def test_metadata_only():
    diff = compare(version(), version(source="县政府办公室", editor="李四",
                                      attachments=[Attachment("附件1", "http://a/f.pdf")]))
    assert diff.fields == ["source", "editor", "attachments"] and diff.change_class == METADATA
    assert diff_text(diff).splitlines() == ["source: 县[-应急管理局-]{+政府办公室+}", "editor: {+李四+}",
                                            "attachments added: {+附件1 <http://a/f.pdf>+}"]


def test_a_publication_time_moved_by_less_than_a_minute_is_the_same():
    same = version(published_at=datetime(2026, 11, 20, 0, 21, 30, tzinfo=UTC))
    assert compare(version(), same) is None
    moved = compare(version(), version(published_at=datetime(2026, 11, 21, 8, 21, tzinfo=BEIJING)))
    assert moved.fields == ["published_at"] and moved.change_class == METADATA


def test_reordered_attachments_are_no_change():
    files = [Attachment("附件1", "http://a/1.pdf"), Attachment("附件2", "http://a/2.doc")]
    assert compare(version(attachments=files), version(attachments=files[::-1])) is None


def test_a_title_edit_and_the_json_round_trip():
    diff = compare(version(), version(title="县政府召开冬季安全生产工作会议"))
    assert diff.change_class == MINOR
    assert diff_text(diff) == "title: 县政府召开[-秋-]{+冬+}季安全生产工作会议"
    assert RecordDiff.from_json(diff.to_json()) == diff
    assert diff_html(diff) == "<b>title:</b> 县政府召开<del>秋</del><ins>冬</ins>季安全生产工作会议"


def test_latin_words_and_numbers_change_whole():
    assert char_spans("发布于2025年", "发布于2026年") == (("=", "发布于"), ("-", "2025"), ("+", "2026"), ("=", "年"))


def test_a_long_paragraph_is_compared_sentence_by_sentence_in_bounded_time():
    sentences = [f"第{n}句：会议要求各单位认真贯彻落实上级部署。" for n in range(3000)]
    before, after = list(sentences), list(sentences)
    after[1500] = "第1500句：会议要求各单位认真贯彻落实上级部署，不得拖延。"
    started = datetime.now(UTC)
    diff = compare(version(["".join(before)]), version(["".join(after)]))
    assert (datetime.now(UTC) - started).total_seconds() < 10
    [part] = diff.changes[0].parts
    assert [t for op, t in part.spans if op == "+"] == ["，不得拖延"]


def test_a_disclosure_document_declared_void_is_a_metadata_edit():
    diff = compare(version(document_number="县政办发〔2026〕12号", validity="有效"),
                   version(document_number="县政办发〔2026〕12号", validity="失效"))
    assert diff.fields == ["validity"] and diff.change_class == METADATA
    assert diff_text(diff) == "validity: [-有-]{+失+}效"
