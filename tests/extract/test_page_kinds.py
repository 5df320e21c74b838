"""List pages are not articles, however their items are dressed; short notices are."""

from archive.extract import extract_article
from tests.extract.conftest import make_page

LIST_URL = "http://www.example.edu.cn/xwzx/tzgg.htm"


def campus_list(items: list[str]) -> str:
    """A VSB column page: menu, breadcrumb, the list, its pager, the footer."""
    return ('<html><head><meta charset="utf-8"><title>通知公告-示例大学</title></head><body>'
            '<div class="header"><div class="nav"><ul><li><a href="/index.htm">首页</a></li>'
            '<li><a href="/xwzx/xxyw.htm">学校要闻</a></li>'
            '<li><a href="/xwzx/tzgg.htm">通知公告</a></li></ul></div></div>'
            '<div class="main"><div class="dqwz">当前位置: <a href="/index.htm">首页</a> &gt;&gt; 通知公告</div>'
            '<div class="list_title"><h2>通知公告</h2></div><div class="list"><ul>' + "".join(items) +
            '</ul></div><div class="pb_sys_common"><span class="p_pages">共9条&nbsp;&nbsp;1/1</span></div></div>'
            '<div class="footer"><p>版权所有：示例大学党委宣传部 地址：示例市学府路1号</p></div></body></html>')


def dated_item(n: int) -> str:
    return (f'<li><a href="/info/1022/{2300 + n}.htm" title="t">关于做好第{n}批学生宿舍安全检查工作的通知</a>'
            f'<span class="time">2026-10-{10 + n:02d}</span><span class="clicks">浏览：<span></span></span></li>')


def test_a_list_of_dated_items_with_view_labels_is_not_an_article():
    items = ['<li><a href="/info/1022/2352.htm">图书馆开放时间调整</a></li>'] + [dated_item(n) for n in range(5)]
    assert extract_article([make_page(campus_list(items), LIST_URL)], site="campus") is None


def test_items_with_the_date_first_are_list_items_too():
    items = [f'<li>2026-10-{10 + n:02d} <a href="/info/{n}.htm">关于做好第{n}批学生宿舍安全检查工作的通知</a></li>'
             for n in range(8)]
    assert extract_article([make_page(campus_list(items), LIST_URL)], site="campus") is None


def test_a_notice_whose_sentences_open_with_links_is_still_an_article():
    body = "".join(f'<p><a href="/org/{n}.htm">第{n}学院</a>：请于10月{20 + n}日前完成宿舍安全自查，'
                   f'并将自查报告报送保卫处，逾期未报送的将予以通报。</p>' for n in range(6))
    html = ('<html><head><meta charset="utf-8"><title>关于开展宿舍安全自查的通知</title></head><body>'
            '<h1>关于开展宿舍安全自查的通知</h1><div class="info">发布时间：2026-10-18</div>'
            f'<div class="v_news_content">{body}</div></body></html>')
    record = extract_article([make_page(html, "http://www.example.edu.cn/info/1022/2351.htm")], site="campus")
    assert record is not None and record.title == "关于开展宿舍安全自查的通知"


def test_anchors_carrying_their_own_bullet_are_list_items():
    items = [f'<li><a href="/info/1022/{2300 + n}.htm">·关于做好第{n}批学生宿舍安全检查工作的通知</a>'
             f'<span>2026-10-{10 + n:02d}</span></li>' for n in range(5)]
    assert extract_article([make_page(campus_list(items), LIST_URL)], site="campus") is None


def test_body_lines_opening_with_a_menu_word_are_not_list_items():
    units = ["研究生院", "学生工作部", "保卫工作处", "后勤管理处"]
    menu = "".join(f'<li><a href="/{n}/">{name}</a></li>' for n, name in enumerate(units))
    contacts = "".join(f"<p>{name} 联系人王老师 电话0571-8888000{n}</p>" for n, name in enumerate(units))
    html = ('<html><head><meta charset="utf-8"><title>关于寒假期间值班安排的通知</title></head><body>'
            f'<div class="nav"><ul>{menu}</ul></div><h1>关于寒假期间值班安排的通知</h1>'
            '<div class="info">发布时间：2026-10-18</div><div class="v_news_content">'
            '<p>寒假期间各单位须安排专人值班，遇有紧急情况请及时与下列部门联系。</p>'
            f'{contacts}</div></body></html>')
    record = extract_article([make_page(html, "http://www.example.edu.cn/info/1022/2360.htm")], site="campus")
    assert record is not None and "联系人王老师" in record.text


def _profile(title: str, url: str, info: str = "") -> str:
    paragraphs = "".join(
        f"<p>{line}</p>"
        for line in (
            "示例大学经济与管理学院成立于1985年，现有教职工一百二十人，其中教授三十人、副教授四十五人。",
            "学院设有经济学系、管理学系和会计学系，拥有两个博士学位授权点和五个硕士学位授权点。",
            "多年来，学院坚持立德树人，培养了大批优秀人才，在国内外享有良好声誉，为地方经济社会发展作出了贡献。",
            "学院现有全日制本科生两千余人、研究生八百余人，建有省级重点实验室两个、校级研究中心六个。",
            "学院与国内外三十多所高校和研究机构建立了合作关系，每年选派优秀学生赴境外交流学习。",
        )
    )
    return (f'<html><head><meta charset="utf-8"><title>{title}-示例大学</title></head><body>'
            f'<div class="nav"><a href="/">首页</a> <a href="/xyjj.htm">学院简介</a></div>'
            f'<h2>{title}</h2>{info}<div class="content">{paragraphs}</div></body></html>')


def test_pages_about_the_institution_are_not_articles():
    for title, path in (("学院简介", "/xyjj.htm"), ("联系我们", "/lxwm/index1.htm"), ("机构设置", "/jgsz/list.htm"),
                        ("本院概况", "/info/1011/2.htm")):
        page = make_page(_profile(title, "http://em.example.edu.cn" + path), "http://em.example.edu.cn" + path)
        assert extract_article([page], site="campus") is None, title
    # a story whose headline ends like a profile's is one
    assert extract_article([make_page(_profile("运动会比赛概况", ""), "http://em.example.edu.cn/info/1011/3.htm")],
                           site="campus")
    # a story on a page under such an address is one when it is dated
    story = _profile("学院召开2026年教职工大会", "", "<div class='info'>发布时间：2026-10-19</div>")
    assert extract_article([make_page(story, "http://em.example.edu.cn/xyjj/2026/1019/5.htm")], site="campus")
