"""HTML for the web chat: answers with linked [n] markers, source cards, the 原文 view.

Pure functions of the answer contract, no gradio, so they are unit-tested directly. Every piece of report text,
quote, question and model output goes through ``esc`` before it becomes HTML: a report may contain ``<script>``.
No data-* attributes: the chat's sanitizer drops them, so links carry their target in href. Element ids:
``cite-T-N`` is card N of turn T; ``para-D-P`` is paragraph P of document D (its index in ``Assistant.documents()``)
in the 原文 view.
"""
from __future__ import annotations

import html
import re
from typing import Any, Iterable, Mapping, Sequence

from assistant.contract import Answer, Citation, Passage

# One marker may name several citations: [1] [1,2] [1、3] [1，2].
MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")
SHOWN_QUESTION_CHARS = 300
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # shown as boxes; whitespace ones are folded


def esc(text: Any) -> str:
    """TEXT safe inside HTML, on one line: gradio's chat renders messages as markdown, and a blank line would end
    our HTML block and hand the rest to the markdown parser. Newlines become &#10; (shown by white-space: pre-wrap)."""
    text = html.escape("" if text is None else str(text), quote=True)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "&#10;")


def para_id(doc: int, number: int) -> str:
    return f"para-{doc}-{number}"


def link_markers(text: str, turn: int | None, known: Iterable[int] = ()) -> str:
    """TEXT escaped, each [n] a superscript; linked to its card ``#cite-TURN-n`` when n is a known citation."""
    known = set(known)
    out, pos = [], 0
    for m in MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        parts = []
        for n in (int(x) for x in re.findall(r"\d+", m.group(1))):
            if turn is not None and n in known:
                target = f"cite-{turn}-{n}"
                parts.append(f'<a class="ra-marker" href="#{target}">[{n}]</a>')
            else:
                parts.append(f'<span class="ra-marker ra-unlinked">[{n}]</span>')
        out.append("<sup>" + "".join(parts) + "</sup>")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def highlight(text: str, start: int, end: int, *more: tuple[int, int]) -> str:
    """TEXT escaped with ``text[start:end]`` (and each further (start, end)) inside <mark>; out-of-range spans
    mark nothing, overlapping ones are joined."""
    spans = sorted((s, e) for s, e in ((start, end), *more) if 0 <= s < e <= len(text))
    out, pos = [], 0
    for s, e in spans:
        s = max(s, pos)
        if s >= e:
            continue
        out += [esc(text[pos:s]), "<mark>", esc(text[s:e]), "</mark>"]
        pos = e
    return "".join(out) + esc(text[pos:])


def _rank(rank: int | None) -> str:
    """Where retrieval put the paragraph: a place people read at once (a fused score has no scale they know)."""
    return f' · <span class="ra-score" title="检索到的段落中的排名">检索第{rank}名</span>' if rank else ""


def _where(section: str | None, number: int, doc: int, title: str | None, heading: bool = False) -> str:
    place = f"{esc(title)} · " if title else ""
    sec = esc(section) if section else "正文"
    pid = para_id(doc, number)
    label = f"小标题（第{number}段起）" if heading else f"第{number}段"
    return (f'<span class="ra-section">{place}{sec}</span> · '
            f'<a class="ra-goto" href="#{pid}" title="在原文中查看">{label}</a>')


def citation_card(c: Citation, turn: int, doc: int = 0, title: str | None = None, rank: int | None = None,
                  also: Sequence[Citation] = ()) -> str:
    """The card of C's paragraph; ALSO are further citations of the same paragraph, shown on this one card (their
    markers lead here, their quotes are highlighted too)."""
    numbers = "".join(f"[{x.n}]" for x in (c, *also))
    aliases = "".join(f'<span class="ra-alias" id="cite-{turn}-{x.n}"></span>' for x in also)
    return (f'<div class="ra-card" id="cite-{turn}-{c.n}">{aliases}'
            f'<div class="ra-card-head"><span class="ra-card-n">{numbers}</span> '
            f'{_where(c.section, c.paragraph, doc, title, c.kind == "heading")}{_rank(rank)}</div>'
            f'<div class="ra-card-text">{highlight(c.text, c.start, c.end, *((x.start, x.end) for x in also))}'
            f'</div></div>')


def passage_card(p: Passage, doc: int = 0, title: str | None = None, rank: int | None = None) -> str:
    """A retrieved paragraph offered after a refusal: no marker, nothing quoted."""
    return (f'<div class="ra-card ra-nearby"><div class="ra-card-head">{_where(p.section, p.paragraph, doc, title)}'
            f'{_rank(rank)}</div><div class="ra-card-text">{esc(p.text)}</div></div>')


def _cards(answer: Answer, turn: int, docs: "DocIndex") -> list[str]:
    """One card per cited paragraph, in marker order (two quotes of one paragraph share its card)."""
    ranks = {(p.source, p.paragraph): i for i, p in enumerate(answer.retrieved, 1)}
    groups: dict[tuple, list[Citation]] = {}
    for c in answer.citations:
        groups.setdefault((c.source, c.paragraph, c.kind), []).append(c)
    return [citation_card(first, turn, docs.doc(first.source), docs.title(first.source),
                          ranks.get((first.source, first.paragraph)), rest)
            for first, *rest in groups.values()]


def about(heading: str) -> str:
    """A question about one section, by its heading (quoted with 「」 when the heading has its own quotes)."""
    return f"关于{'「' + heading + '」' if '“' in heading else '“' + heading + '”'}，报告说了什么？"


OUTLINE_QUESTION = "这份报告讲了什么？"


def follow_ups(answer: Answer, docs: DocIndex, n: int = 3) -> list[str]:
    """Questions to ask next, drawn from the section the answer rests on: that whole section, the one after it,
    and the report's outline — never the question just asked."""
    rests = [(c.source, c.section) for c in answer.citations if c.section] or \
        [(p.source, p.section) for p in answer.retrieved[:1] if p.section]
    out = []
    for source, section in rests[:1]:
        order = docs.sections(source)
        out.append(about(section))
        if section in order and len(order) > 1:
            out.append(about(order[(order.index(section) + 1) % len(order)]))
    out.append(OUTLINE_QUESTION)
    return [q for q in dict.fromkeys(out) if q != answer.question][:n]


def plain_text(answer: Answer) -> str:
    """What the copy button copies: the answer, then one line per citation."""
    return "\n\n".join(x for x in (answer.answer, answer.sources_text()) if x)


class DocIndex:
    """Where a citation's source sits among the documents (for 原文 anchors) and its title (when several)."""

    def __init__(self, documents: Sequence[Mapping[str, Any]]):
        self._index = {d["source"]: i for i, d in enumerate(documents)}
        self._titles = {d["source"]: d.get("title") or d["source"] for d in documents}
        self.several = len(documents) > 1
        self._sections = {d["source"]: list(dict.fromkeys(p["section"] for p in d.get("paragraphs", ()) if p.get("section")))
                          for d in documents}

    def sections(self, source: str) -> list[str]:
        """SOURCE's section headings in reading order."""
        return self._sections.get(source, [])

    def doc(self, source: str) -> int:
        return self._index.get(source, 0)

    def title(self, source: str) -> str | None:
        return self._titles.get(source, source) if self.several else None


def answer_html(answer: Answer, turn: int, docs: DocIndex) -> str:
    """The finished bot message: answer with linked markers, its cards (or 可能相关 after a refusal), a copy button."""
    parts = [f'<div class="ra-answer{" ra-refusal" if answer.refused else ""}">']
    if answer.notices:
        parts.append("".join(f'<div class="ra-notice">{esc(n)}</div>' for n in answer.notices))
    parts.append(f'<div class="ra-text">{link_markers(answer.answer, turn, (c.n for c in answer.citations))}</div>')
    if answer.refused:
        near = answer.retrieved[:2]
        if near:
            parts.append('<div class="ra-cards-title">可能相关（没有引用，仅供参考）</div>')
            parts.extend(passage_card(p, docs.doc(p.source), docs.title(p.source), i) for i, p in enumerate(near, 1))
    elif answer.citations:
        parts.append('<div class="ra-cards-title">来源</div>')
        parts.extend(_cards(answer, turn, docs))
    asks = follow_ups(answer, docs)
    if asks:
        parts.append('<div class="ra-follow"><span class="ra-follow-label">接着问：</span>'
                     + "".join(f'<button type="button" class="ra-suggest">{esc(q)}</button>' for q in asks) + "</div>")
    parts.append(f'<div class="ra-foot"><button type="button" class="ra-copy">复制回答和出处</button>'
                 '<button type="button" class="ra-vote ra-up" title="这个回答有用（记入本地反馈文件）">有用</button>'
                 '<button type="button" class="ra-vote ra-down" title="这个回答没用（记入本地反馈文件）">没用</button>'
                 f'<span class="ra-meta">{esc(answer.backend)} · {answer.elapsed_ms / 1000:.1f} 秒</span></div>'
                 f'<div class="ra-plain">{esc(plain_text(answer))}</div>'
                 f'<div class="ra-plain ra-asked">{esc(answer.question)}</div></div>')
    return "".join(parts)


STAGES = {"retrieving": "检索中…", "generating": "生成中…"}


def streaming_html(text: str, stage: str | None = None, seconds: float | None = None) -> str:
    """A partial answer while it streams: markers shown but not yet linked (their cards come at the end), under
    the stage it is in and the seconds since the question was sent."""
    where = ""
    if stage in STAGES:
        where = (f'<div class="ra-stage" role="status">{STAGES[stage]}'
                 f'{f" {seconds:.1f} 秒" if seconds is not None else ""}</div>')
    return f'<div class="ra-answer ra-streaming">{where}<div class="ra-text">{link_markers(text, None)}</div></div>'


STAGE_DIV = re.compile(r'<div class="ra-stage" role="status">.*?</div>')


def stopped_html(streaming: str) -> str:
    """A streaming answer as it was when 停止 was pressed: what came so far, marked 已停止 (no caret, no timer)."""
    if "ra-streaming" not in streaming:
        return streaming
    shown = STAGE_DIV.sub("", streaming, count=1).replace("ra-streaming", "ra-stopped", 1)
    return shown.replace('<div class="ra-text">', '<div class="ra-stage">已停止</div><div class="ra-text">', 1)


def error_html(message: str) -> str:
    return f'<div class="ra-answer ra-error"><div class="ra-text">⚠ {esc(message)}</div></div>'


def question_html(question: Any) -> str:
    """The person's message as shown in the chat: escaped, whitespace folded, a very long one shortened."""
    text = re.sub(r"\s+", " ", CONTROL.sub("", str(question or ""))).strip()
    if len(text) > SHOWN_QUESTION_CHARS:
        text = text[:SHOWN_QUESTION_CHARS] + f"…（共 {len(str(question))} 字）"
    return f'<div class="ra-question">{esc(text) or "（空）"}</div>'


def fulltext_html(documents: Sequence[Mapping[str, Any]], cited: Iterable[tuple[str, int]] = ()) -> str:
    """The 原文 view: each document's cleaned text, paragraphs numbered, CITED (source, number) pairs highlighted.
    Text between paragraphs (title, section headings) is shown as headings."""
    cited = set(cited)
    out = ['<div class="ra-fulltext">']
    for d, doc in enumerate(documents):
        text = doc["text"]
        out.append(f'<div class="ra-doc" id="doc-{d}"><div class="ra-doc-source">{esc(doc["source"])}'
                   + (f' · {esc(doc["byline"])}' if doc.get("byline") else "") + "</div>")
        pos = 0
        for p in doc["paragraphs"]:
            out.extend(_headings(text[pos:p["start"]]))
            hit = (doc["source"], p["paragraph"]) in cited
            out.append(f'<div class="ra-para{" ra-cited" if hit else ""}" id="{para_id(d, p["paragraph"])}">'
                       f'<span class="ra-para-n">{p["paragraph"]}</span>'
                       f'<span class="ra-para-text">{esc(text[p["start"]:p["end"]])}</span></div>')
            pos = p["end"]
        out.extend(_headings(text[pos:]))
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def _headings(gap: str) -> list[str]:
    return [f'<div class="ra-heading">{esc(line.strip())}</div>' for line in gap.splitlines() if line.strip()]


def cited_paragraphs(answer: Answer | None) -> list[tuple[str, int]]:
    """(source, number) of the paragraphs ANSWER cites; a refusal cites none."""
    return [(c.source, c.paragraph) for c in answer.citations] if answer is not None else []


def history_messages(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Earlier turns as OpenAI-style messages for follow-ups; failed turns are left out."""
    out: list[dict[str, str]] = []
    for t in turns:
        if t.get("answer"):
            out += [{"role": "user", "content": t["question"]}, {"role": "assistant", "content": t["answer"]}]
    return out
