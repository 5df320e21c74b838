"""The words of labelled metadata: each label and the record field it names, in both
scripts, and the words of page widgets that are never a value."""

from __future__ import annotations

# label text -> record field; longer labels first so 责任编辑 wins over 编辑.
_SIMPLIFIED: dict[str, str] = {
    "稿件来源": "source",
    "文章来源": "source",
    "信息来源": "source",
    "新闻来源": "source",
    "消息来源": "source",
    "来源于": "source",
    "转载来源": "source",
    "来源": "source",
    "出处": "source",
    "原创": "source",
    "来自": "source",
    "作者": "author",
    "记者": "author",
    "通讯员": "author",
    "撰稿人": "author",
    "撰稿": "author",
    "撰文": "author",
    "文字": "author",
    "文/图": "author",
    "图/文": "author",
    "文图": "author",
    "执笔": "author",
    "执笔人": "author",
    "实习生": "author",
    "特约撰稿": "author",
    "口述": "author",
    "整理": "author",
    "摄影": "author",
    "文": "author",
    "作　者": "author",
    "作 者": "author",
    "责任编辑": "editor",
    "责任编缉": "editor",
    "值班编辑": "editor",
    "责编": "editor",
    "编辑": "editor",
    "编审": "editor",
    "选稿": "editor",
    "编辑人": "editor",
    "校对": "proofreader",
    "排版": "designer",
    "美编": "designer",
    "审核": "reviewer",
    "审校": "reviewer",
    "签发": "reviewer",
    "初审": "reviewer",
    "复审": "reviewer",
    "终审": "reviewer",
    "监制": "reviewer",
    "发布人": "publisher",
    "发布者": "publisher",
    "发布单位": "publisher",
    "发布机构": "publisher",
    "发布部门": "publisher",
    "供稿单位": "publisher",
    "供稿部门": "publisher",
    "供稿": "publisher",
    "发稿单位": "publisher",
    "发文机关": "publisher",
    "发布机关": "publisher",
    "发文单位": "publisher",
    "投稿单位": "publisher",
    "发稿人": "publisher",
    "上传者": "publisher",
    "上传人": "publisher",
    "上传用户": "publisher",
    "贡献者": "publisher",
    "分享者": "publisher",
    "发布": "publisher",
    "浏览量": "views",
    "浏览次数": "views",
    "浏览数": "views",
    "浏览": "views",
    "点击数": "views",
    "点击量": "views",
    "点击率": "views",
    "点击": "views",
    "阅读量": "views",
    "阅读数": "views",
    "阅读次数": "views",
    "阅读": "views",
    "访问量": "views",
    "访问次数": "views",
    "人气": "views",
    "查看次数": "views",
    "已阅": "views",
    "热度": "views",
    "围观": "views",
    "发布时间": "date",
    "发布日期": "date",
    "发表时间": "date",
    "发表日期": "date",
    "更新时间": "date",
    "更新日期": "date",
    "上传时间": "date",
    "发稿时间": "date",
    "录入时间": "date",
    "添加时间": "date",
    "刊发时间": "date",
    "时间": "date",
    "日期": "date",
    # the table of a government disclosure page (政府信息公开)
    "索引号": "index_number",
    "分类": "topic",
    "主题分类": "topic",
    "主题词": "noise",
    "体裁分类": "noise",
    "组配分类": "noise",
    "服务对象": "noise",
    "公开方式": "noise",
    "公开范围": "noise",
    "公开时限": "noise",
    "发文字号": "document_number",
    "文号": "document_number",
    "成文日期": "document_date",
    "成文时间": "document_date",
    "发文日期": "document_date",
    "发文时间": "document_date",
    "印发日期": "document_date",
    "生成日期": "document_date",
    "有效性": "validity",
    "时效性": "validity",
    "公开日期": "date",
    "公开时间": "date",
    "关键字": "noise",
    "关键词": "noise",
    "标签": "noise",
    "原标题": "noise",
    "题": "noise",
    "栏目": "column",
    "所属栏目": "column",
    "字号": "noise",
    "字体": "noise",
    "分享到": "noise",
    "Source": "source",
    "SOURCE": "source",
    "Author": "author",
    "By": "author",
    "Editor": "editor",
    "Editors": "editor",
    "Web editor": "editor",
    "Web Editor": "editor",
    "Reporter": "author",
    "Writer": "author",
}


def _with_traditional_forms(labels: dict[str, str]) -> dict[str, str]:
    """Add the traditional-script spelling of every label (來源, 責任編輯, 發佈時間…)."""
    from opencc import OpenCC

    extended = dict(labels)
    for config in ("s2t", "s2hk", "s2tw"):
        converter = OpenCC(config)
        for label, name in labels.items():
            extended.setdefault(converter.convert(label), name)
    extended.setdefault("發佈時間", "date")
    extended.setdefault("發佈日期", "date")
    return extended


LABELS = _with_traditional_forms(_SIMPLIFIED)


# The words of a page's widgets: font-size controls, viewers, share and print buttons.
# Printed beside the credits, they end a label's value and are never anybody's name.
WIDGET_WORDS = (
    "字号|字號|字体|字體|打印|列印|关闭|關閉|分享|浏览|瀏覽|点击|點擊|阅读|閱讀|返回|查看|预览|預覽|下载|下載|"
    "收藏|举报|舉報|纠错|糾錯|微信|微博|易信|QQ|朋友圈|二维码|二維碼|扫一扫|掃一掃|展开|展開|收起|繁体|繁體|简体|簡體|"
    "默认|默認|大中小|【大】|【中】|【小】|\\[大\\]|\\[中\\]|\\[小\\]"
)
