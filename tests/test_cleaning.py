"""Cleaning scraped pages: furniture dropped by rule, title/byline/summary kept as metadata, headings as sections."""
from conftest import REPORT

from assistant.ingest.cleaning import clean
from assistant.ingest.document import build_document
from assistant.ingest.reader import RawFile

FURNITURE = ("责任编辑", "精选专题", "精选文章", "微信公众平台", "二维码", "客户端", "微博", "领航新时代")


def _doc(text: str, name: str = "page.txt"):
    return build_document(RawFile(None, name, text, "utf-8", "0" * 64))


def test_report_is_cleaned_into_titled_sectioned_paragraphs():
    doc = _doc(REPORT.read_text(encoding="utf-8"), REPORT.name)
    assert doc.title == "聚焦脱贫攻坚,中央巡视组发现了哪些问题"
    assert doc.summary and doc.summary.startswith("30日")
    texts = [p.text for p in doc.paragraphs]
    assert not any(f in t for t in texts for f in FURNITURE)
    assert not any(t.startswith("摘要") or t == doc.title for t in texts), "title and 摘要 duplicates must go"
    assert sum(t.startswith("30日,十九届") for t in texts) == 1, "the lead paragraph appears once"
    assert texts[-1].startswith("针对这些问题,中央巡视组对症下药")
    headings = {p.section for p in doc.paragraphs}
    assert "精准贯彻落实中央脱贫攻坚决策部署有差距" in headings
    assert "“两个责任”有待进一步加强" in headings
    assert "精准贯彻落实中央脱贫攻坚决策部署有差距" not in texts, "headings are metadata, not paragraphs"
    assert doc.paragraphs[0].section is None


SCRAPED = """首页 > 新闻中心 > 国内新闻
某市推进垃圾分类工作取得新进展
来源：某某日报　作者：李明　2021-06-01 09:30
分享到：微信 微博 QQ空间
字号：大 中 小
某市推进垃圾分类工作取得新进展
摘要：今年以来，某市扎实推进生活垃圾分类工作，居民参与率明显提高。
今年以来，某市扎实推进生活垃圾分类工作，居民参与率明显提高。
分类设施建设提速
全市新建分类投放点1200个，配备专职督导员3000名。各区还建立了定时定点投放制度。
存在的困难
部分老旧小区场地有限，投放点设置难度较大；个别居民分类意识仍需提高。
（编辑：王芳）
相关新闻
垃圾分类进社区
打印本页　关闭窗口
Copyright © 2021 某某日报社 版权所有 京ICP备12345678号
"""


def test_made_up_scraped_page_is_cleaned_by_general_rules():
    doc = _doc(SCRAPED)
    assert doc.title == "某市推进垃圾分类工作取得新进展"
    assert any("李明" in b for b in doc.byline)
    assert [p.text for p in doc.paragraphs] == [
        "今年以来，某市扎实推进生活垃圾分类工作，居民参与率明显提高。",
        "全市新建分类投放点1200个，配备专职督导员3000名。各区还建立了定时定点投放制度。",
        "部分老旧小区场地有限，投放点设置难度较大；个别居民分类意识仍需提高。",
    ]
    assert [p.section for p in doc.paragraphs] == [None, "分类设施建设提速", "存在的困难"]


def test_markdown_headings_and_blank_input():
    doc = _doc("# 年度报告\n\n## 第一部分\n\n这是第一段正文内容，讲述了工作的总体情况。\n\n这是第二段正文内容，讲述了存在的问题。\n")
    assert doc.title == "年度报告"
    assert [p.section for p in doc.paragraphs] == ["第一部分", "第一部分"]
    assert clean("").blocks == [] and clean("\n \n").blocks == []


def test_furniture_list_is_not_line_numbers():
    """The same report with its lines shuffled into another page layout still loses its furniture."""
    text = REPORT.read_text(encoding="utf-8")
    lines = text.splitlines()
    tail = [ln for ln in lines if any(f in ln for f in ("精选", "微博", "客户端", "二维码"))]
    moved = "\n".join(tail[:2] + ["", "一个新的标题行"] + [ln for ln in lines if ln not in tail[:2]])
    doc = _doc(moved)
    assert not any(f in p.text for p in doc.paragraphs for f in FURNITURE)


# Content is kept unless it is recognisably furniture: scraped text is often cut off mid-sentence or ends in "…".
ARTICLE = """某县推进乡村道路建设
今年以来，某县新建和改造农村公路320公里，惠及群众12万人。
县交通局表示，明年将继续加大投入，重点解决偏远村组出行难问题。
"""


def test_last_paragraph_cut_off_with_an_ellipsis_or_mid_sentence_is_kept():
    for tail in ("截至目前，全县已有95%的行政村通了硬化路，剩下的村组将在明年…",
                 "截至目前，全县已有95%的行政村通了硬化路，剩下的村组将在明年",
                 "全县已有95%的行政村通了硬化路……"):
        doc = _doc(ARTICLE + tail + "\n")
        assert [p.text for p in doc.paragraphs][-1] == tail, tail
        assert len(doc.paragraphs) == 3


def test_short_final_content_line_is_kept_when_no_furniture_marker_precedes_it():
    doc = _doc(ARTICLE + "投资总额达5.6亿元\n")
    assert [p.text for p in doc.paragraphs][-1] == "投资总额达5.6亿元"
    # the same line after an editor credit sits in the page's trailing furniture block
    doc = _doc(ARTICLE + "责任编辑：王芳\n投资总额达5.6亿元\n")
    assert [p.text for p in doc.paragraphs][-1].startswith("县交通局表示")


def test_report_trailing_chrome_is_still_dropped():
    text = REPORT.read_text(encoding="utf-8")
    cleaned = clean(text)
    chrome = ["责任编辑:张弛校对:董洁最后修改:", "0", "精选专题", "领航新时代", "精选文章", "精选视频", "精选图片",
              "宣讲家微信公众平台", "微博", "客户端"]
    assert all(c in cleaned.dropped for c in chrome)
    assert any(d.startswith("微信公众平台:搜索“宣讲家”") for d in cleaned.dropped)
    kept = [t for _, t in cleaned.blocks] + [cleaned.title or ""]
    assert not any(c in t for t in kept for c in chrome if len(c) > 1)
    # a slogan is chrome because it sits in the trailing block, not because it is short: moved into the article
    # (before the last paragraph) it is a heading like any other short line
    lines = text.splitlines()
    last = max(i for i, ln in enumerate(lines) if ln.startswith("针对这些问题"))
    moved = "\n".join(lines[:last] + ["领航新时代", ""] + lines[last:])
    assert "领航新时代" in {p.section for p in _doc(moved).paragraphs}


def test_furniture_is_what_it_says_not_how_long_it_is():
    page = """某市上线政务服务平台
该平台上线首月注册用户突破10万。
市民可通过手机客户端办理社保、公积金等87项业务，据官方微博消息，下月还将新增一批事项。
分享到：微信 微博
手机扫一扫
评论(12)
下载客户端
"""
    texts = [p.text for p in _doc(page).paragraphs]
    assert texts == ["该平台上线首月注册用户突破10万。",
                     "市民可通过手机客户端办理社保、公积金等87项业务，据官方微博消息，下月还将新增一批事项。"]


def test_one_line_snippet_dated_sentence_and_glued_copyright():
    snippet = "某县去年粮食总产量为86万吨，其中玉米产量增长了12."
    doc = _doc(snippet)
    assert [p.text for p in doc.paragraphs] == [snippet], "a lone line is content, not only a page title"
    dated = "2021年5月8日，某市马拉松在滨江公园开跑，3万名选手参赛。"
    doc = _doc(dated + "\n比赛共设全程、半程和迷你跑三个项目。\n")
    assert doc.paragraphs[0].text == dated and not doc.byline, "a sentence that starts with a date is not a byline"
    doc = _doc(ARTICLE.replace("\n", "\n2021年6月1日 09:30\n", 1))
    assert doc.byline == ["2021年6月1日 09:30"]
    glued = "今年全市共植树50万株，新增绿地300公顷。 Copyright © 2006-2023 某某网 All rights reserved."
    doc = _doc(glued)
    assert [p.text for p in doc.paragraphs] == ["今年全市共植树50万株，新增绿地300公顷。"]


def test_text_appended_after_the_page_chrome_is_kept_and_the_chrome_between_dropped():
    from assistant.ingest.cleaning import clean

    page = ("标题一行\n\n正文第一段，说明了一件事情的来龙去脉。\n\n责任编辑：某某\n精选专题\n领航新时代\n"
            "您也可以通过点击图标来访问官方微博或下载手机客户端:\n微博\n\n后来补充的一段文字，说明报告已经更新。\n")
    paragraphs = [text for kind, text in clean(page).blocks if kind == "paragraph"]
    assert paragraphs == ["正文第一段，说明了一件事情的来龙去脉。", "后来补充的一段文字，说明报告已经更新。"]


def test_an_editor_credit_above_the_article_does_not_swallow_its_headings():
    from assistant.ingest.cleaning import clean

    page = "报告标题\n编辑：某某\n一、总体情况\n全年共完成项目十二个，比上年增加两个。\n"
    cleaned = clean(page)
    assert "一、总体情况" not in cleaned.dropped and ("heading", "一、总体情况") in cleaned.blocks
    assert cleaned.blocks[-1][1].startswith("全年共完成")
