"""Rule-based cleaning of scraped news pages into title, byline, section headings and body paragraphs.

Web furniture is recognised by what it is — navigation and breadcrumbs, share and QR-code prompts, bylines,
copyright and ICP lines, editor credits (责任编辑/校对/最后修改), a site's repeated link lists and widgets
(精选专题, 微信公众平台, 客户端, 官方微博…) — never merely by being short or by not ending in 。: scraped text is
often cut mid-sentence or ends in "…", and such a paragraph is still a paragraph. A page's trailing furniture
block (the lines from its closing marker — an editor credit, a copyright line, a 相关阅读/精选 list head, a
QR-code prompt — to the end, with no article text after it) goes whole, so a slogan like 领航新时代 inside that
block goes too. The rules describe web furniture, not where it sits in any one file, so they work on other
scraped pages too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TERMINAL = "。！？；!?;"
CLOSERS = "”’\"'）)」』】》"
# Words that, in a short line that is not a sentence, say it is page chrome: link lists, widgets, site sections.
FURNITURE_WORDS = (
    "精选专题", "精选文章", "精选视频", "精选图片", "微信公众平台", "二维码", "扫一扫", "分享到", "分享至",
    "关注我们", "关闭窗口", "返回顶部", "上一篇", "下一篇", "相关阅读", "相关新闻", "相关文章", "相关报道",
    "热点推荐", "推荐阅读", "网站地图", "联系我们", "免责声明", "字号", "阅读原文", "打印本页",
)
# Words that are chrome only when the line is little more than them ("微博", "下载客户端", "评论(12)"): news text
# uses them too ("他在微博上说", "注册用户超过一亿").
WIDGET_WORDS = (
    "官方微博", "微博", "手机客户端", "客户端", "公众号", "手机版", "扫描", "点击", "下载", "打印", "登录", "注册",
    "收藏", "评论", "点赞", "在看", "转发", "分享", "查看更多",
)
WIDGET_REST = 1  # letters a widget line may hold besides its widget words ("注册流程" is a heading, not a widget)
COPYRIGHT = re.compile(r"copyright|©|版权所有|ICP备|ICP证|all rights reserved|公网安备", re.IGNORECASE)
EDITORIAL = re.compile(r"(责任编辑|责编|编辑|校对|审校|审核|终审|监制|值班编辑|最后修改|排版|美编)\s*[:：]")
# Besides editor credits and copyright lines, what closes an article and opens the page's trailing furniture.
CLOSING = re.compile(r"相关(阅读|新闻|文章|报道)|推荐阅读|热点推荐|精选(专题|文章|视频|图片)|上一篇|下一篇|扫一扫|二维码|"
                     r"微信公众平台|关注我们|返回顶部|关闭窗口|打印本页")
BYLINE = re.compile(r"^(来源|作者|记者|通讯员|发布时间|发布日期|时间|日期|文)\s*[:：]|^\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}")
SUMMARY = re.compile(r"^(摘要|导读|核心提示|内容提要|提要)\s*[:：]\s*")
BREADCRUMB = re.compile(r"\S\s*[>»›]\s*\S")
MD_HEADING = re.compile(r"^#{1,6}\s+")
HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
CLAUSE = re.compile(r"[，。；！？]")
HEADING_MAX = 30
SHORT_LINE = 40


@dataclass
class Cleaned:
    title: str | None = None
    byline: list[str] = field(default_factory=list)
    summary: str | None = None
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("heading" | "paragraph", text)
    dropped: list[str] = field(default_factory=list)  # furniture lines, kept for inspection and tests


def _norm(s: str) -> str:
    """Compare texts ignoring whitespace and punctuation (scrapes change both)."""
    return re.sub(r"[\W_]+", "", s)


def ends_sentence(line: str) -> bool:
    return line.rstrip(CLOSERS)[-1:] in TERMINAL + "。" if line else False


def _widget(line: str) -> bool:
    """A line that is little more than widget words: "微博", "下载手机客户端", "评论(12)", "收藏本文"."""
    if len(line) > SHORT_LINE or not any(w in line for w in WIDGET_WORDS):
        return False
    rest = line
    for w in sorted(WIDGET_WORDS, key=len, reverse=True):
        rest = rest.replace(w, "")
    return len(HAS_WORD.findall(rest)) <= WIDGET_REST


_SENTENCE_END = re.compile(rf"[{TERMINAL}][{re.escape(CLOSERS)}]*")


def text_before_copyright(line: str) -> str | None:
    """The article text a scraped line carries before its copyright notice ("……新增绿地300公顷。 Copyright © 2023
    x.com."): up to the last sentence end before the notice (or all of it), when that is text; else None."""
    m = COPYRIGHT.search(line)
    if not m or m.start() == 0:
        return None
    before = line[:m.start()]
    ends = list(_SENTENCE_END.finditer(before))
    text = (before[:ends[-1].end()] if ends else before).strip()
    return text if text and _is_text(text) else None


def is_furniture(line: str) -> bool:
    """Web furniture by what the line is: wordless counters and separators, editor credits, copyright lines,
    link-list heads and share/QR prompts, widgets, breadcrumbs. Length alone never makes a line furniture."""
    if not HAS_WORD.search(line):
        return True  # counters, separators, lone digits
    if EDITORIAL.search(line) and len(line) <= 80:
        return True
    if COPYRIGHT.search(line) and len(line) <= 160 and text_before_copyright(line) is None:
        return True
    if any(w in line for w in FURNITURE_WORDS) and (len(line) <= 12 or len(line) <= SHORT_LINE
                                                     and not ends_sentence(line)):
        return True  # a sentence that mentions a 二维码 is text; "扫描下面的二维码:" is a prompt
    if _widget(line):
        return True
    if len(line) <= 60 and BREADCRUMB.search(line) and not ends_sentence(line):
        return True
    return False


def _closes(line: str) -> bool:
    """A furniture line that ends an article and opens the page's trailing furniture (editor credits, copyright,
    a related-links or 精选 list head, a QR-code prompt)."""
    return is_furniture(line) and bool(EDITORIAL.search(line) or COPYRIGHT.search(line) or CLOSING.search(line))


def _is_body(line: str) -> bool:
    return len(line) >= 15 and ends_sentence(line)


def _is_text(line: str) -> bool:
    """Article text the trailing furniture block cannot reach over: a sentence, or a long line (a paragraph cut
    off mid-sentence)."""
    return not is_furniture(line) and (_is_body(line) or len(line) > 60)


def _is_byline(line: str) -> bool:
    m = BYLINE.search(line)
    if not m or len(line) > 80:
        return False
    # "2021-06-01 09:30" is a dateline; "2021年5月8日，某市马拉松在滨江公园开跑，……" is a sentence that starts with one
    return m.group(1) is not None or not CLAUSE.search(line)


def _is_heading(line: str) -> bool:
    if MD_HEADING.match(line):
        return True
    core = line.rstrip(CLOSERS)
    return len(line) <= HEADING_MAX and not ends_sentence(line) and core[-1:] not in ",，、:：" \
        and "。" not in line


def clean(text: str) -> Cleaned:
    lines = [ln.strip().strip("\u3000\ufeff") for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    out = Cleaned()
    if not lines:
        return out
    for i, ln in enumerate(lines):  # a notice glued to the end of a paragraph goes; the paragraph stays
        text = text_before_copyright(ln)
        if text is not None:
            lines[i] = text
            out.dropped.append(ln[len(text):].strip())

    # Furniture blocks: from a closing marker (editor credits, copyright, a 精选 list head) up to the next line of
    # article text — to the end of the file for the page's trailing chrome. Lines before the marker (a short last
    # line, a paragraph cut off mid-sentence) stay; so does text someone appended after the chrome.
    keep: list[str] = []
    in_block = seen_text = False
    for ln in lines:
        if _closes(ln) and seen_text:  # an editor credit above the article opens nothing
            in_block = True
        elif _is_text(ln):
            in_block, seen_text = False, True
        if in_block or is_furniture(ln):
            out.dropped.append(ln)
        else:
            keep.append(ln)

    seen: set[str] = set()
    first_body_seen = False
    for i, ln in enumerate(keep):
        key = _norm(ln)
        if out.title is None and not first_body_seen and not _is_body(ln) and len(ln) <= 60:
            out.title = MD_HEADING.sub("", ln)
            seen.add(_norm(out.title))
            continue
        if key in seen:  # repeated title, repeated lead paragraph
            out.dropped.append(ln)
            continue
        if not first_body_seen and _is_byline(ln):
            out.byline.append(ln)
            continue
        m = SUMMARY.match(ln)
        if m:
            rest = _norm(ln[m.end():])
            later = [_norm(x) for x in keep[i + 1:]]
            if rest and any(rest in x or x in rest and len(x) > len(rest) * 0.8 for x in later):
                out.summary = ln[m.end():]
                out.dropped.append(ln)
                continue
        nxt = keep[i + 1] if i + 1 < len(keep) else ""
        if _is_heading(ln) and nxt and not _is_heading(nxt):
            out.blocks.append(("heading", MD_HEADING.sub("", ln)))
        else:
            out.blocks.append(("paragraph", ln))
            first_body_seen = True
        seen.add(key)

    if not any(kind == "paragraph" for kind, _ in out.blocks):
        # Nothing but a title (and datelines): a one-line snippet is content, not a page's headline.
        out.title, out.byline, out.blocks, unique = None, [], [], set()
        for ln in keep:
            if _norm(ln) not in unique:
                unique.add(_norm(ln))
                out.blocks.append(("paragraph", MD_HEADING.sub("", ln)))
    return out
