"""Rule-based cleaning of scraped news pages into title, byline, section headings and body paragraphs.

The rules describe what web furniture looks like (short lines of navigation, share widgets, editor credits,
trailing link lists), not where it sits in any one file, so they work on other scraped pages too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TERMINAL = "。！？；!?;"
CLOSERS = "”’\"'）)」』】》"
# Words that, in a short line, mark page chrome rather than article text.
FURNITURE_WORDS = (
    "精选专题", "精选文章", "精选视频", "精选图片", "微信公众平台", "公众号", "二维码", "客户端", "微博",
    "扫一扫", "扫描", "分享到", "分享至", "点击", "下载", "关注我们", "打印", "关闭窗口", "返回顶部",
    "上一篇", "下一篇", "相关阅读", "相关新闻", "相关文章", "热点推荐", "推荐阅读", "版权所有", "Copyright",
    "copyright", "ICP备", "ICP证", "网站地图", "联系我们", "免责声明", "登录", "注册", "字号", "收藏",
    "阅读原文", "评论", "点赞", "在看",
)
EDITORIAL = re.compile(r"(责任编辑|责编|编辑|校对|审校|审核|终审|监制|值班编辑|最后修改|排版|美编)\s*[:：]")
BYLINE = re.compile(r"^(来源|作者|记者|通讯员|发布时间|发布日期|时间|日期|文)\s*[:：]|^\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}")
SUMMARY = re.compile(r"^(摘要|导读|核心提示|内容提要|提要)\s*[:：]\s*")
BREADCRUMB = re.compile(r"\S\s*[>»›]\s*\S")
MD_HEADING = re.compile(r"^#{1,6}\s+")
HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
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


def is_furniture(line: str) -> bool:
    if not HAS_WORD.search(line):
        return True  # counters, separators, lone digits
    if EDITORIAL.search(line) and len(line) <= 80:
        return True
    if len(line) <= SHORT_LINE and any(w in line for w in FURNITURE_WORDS):
        return True
    if len(line) <= 60 and BREADCRUMB.search(line) and not ends_sentence(line):
        return True
    return False


def _is_body(line: str) -> bool:
    return len(line) >= 15 and ends_sentence(line)


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

    # Trailing chrome: after the last sentence-like line, short unpunctuated lines are link lists and widgets.
    last_body = max((i for i, ln in enumerate(lines) if _is_body(ln)), default=len(lines) - 1)
    keep: list[str] = []
    for i, ln in enumerate(lines):
        if is_furniture(ln) or (i > last_body and not _is_body(ln)):
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
        if not first_body_seen and BYLINE.search(ln) and len(ln) <= 80:
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
    return out
