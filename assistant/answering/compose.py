"""Composing an extractive answer in the shape the question asks for — every piece a verbatim quote with its
marker: plain (the best sentences), list (every item, counted, capped with 「另有 N 项」), number/date (the number
first), yes/no (「报告指出：」 and the quote), overview (the report's sections: heading and lead sentence each)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answering.calibration import LIST_CAP
from assistant.answering.gaps import ASKS_UNIT, ASKS_WHEN, LABELS
from assistant.answering.judge import NUMBER, Assessment, Sentence, select
from assistant.answering.pinned import (ASKS_DURATION, ASKS_RATE, PERCENT, SPAN_AFTER, asks_amount, names_event,
                                        when_event)
from assistant.answering.retrieve import Hit, Query
from assistant.contract import Citation
from assistant.index.tokens import FUNCTION_CHARS
from assistant.ingest.document import Paragraph, split_sentences

TRAILING = "。；;，,、！!？?：: "
ENGLISH_NOTE = "The report is in Chinese; the answer quotes it verbatim:\n"
# How a list item is framed in these reports ("有的地方被指出…", "比如,…"): the quote starts after the frame.
FRAME = re.compile(r"(比如|例如|同时|此外|另外|其中|首先|其次|再次|最后)?[,，、:：\s]*"
                    r"((有的|一些|个别|部分|不少)(地方|中央单位|单位|部门|省份|市县|企业|被巡视地方和单位)?(被指出|被普遍指出|存在)?)?[,，:：\s]*")
ITEM_END = re.compile(r"[；;。！!？?]")
# (a Chinese numeral starts with a digit: 「28.8万亿元」 holds one count, not a second one 「亿元」)
_COUNT = re.compile(r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十][零一二两三四五六七八九十百千万亿]*)\s*(?:个|家|名|位|项|次|轮|批|人|所|条|件|省|市|"
                    r"县|户|元|亩|吨|座|处|倍|成|公里|千米|米|千瓦|兆瓦|万|亿|%|％|‰)?")
# 「增长了多少」 asks a change, told as a rate when the sentence gives one (「增长9.6%」 rather than the 28.8万亿元 beside it)
ASKS_CHANGE = re.compile(r"(?:涨|跌|增长|下降|上升|提高|减少|回落|下滑|增加)了?(?:多少|几)")
_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:[上中下]旬)?|\d{4}年|\d{1,2}日")
# 「10个月」「6至12个月」「半年」 are durations; 「10月」 is a month and 「2018年」 a year (four digits)
_DURATION = re.compile(r"(?<![\d.])(?:\d{1,3}(?:\.\d+)?|[一二两三四五六七八九十半]+)\s*(?:[至到~～\-]\s*\d{1,3}\s*)?"
                       r"(?:个月|个多月|年|天|周|个星期|小时)(?:左右|多)?")


@dataclass
class Unit:
    """One quoted piece of an answer: a span of a paragraph (or a heading)."""
    paragraph: Paragraph
    start: int
    end: int
    score: float = 0.0
    heading: bool = False

    @property
    def text(self) -> str:
        return (self.paragraph.section or "")[self.start:self.end] if self.heading \
            else self.paragraph.text[self.start:self.end]

    def citation(self, n: int) -> Citation:
        p = self.paragraph
        if self.heading:
            return Citation(n, p.source, p.number, p.section, p.section or "", self.text, self.start, self.end,
                            1.0, kind="heading")
        return Citation(n, p.source, p.number, p.section, p.text, self.text, self.start, self.end,
                        round(self.score, 4))


def plain(assessment: Assessment, max_sentences: int, exclude: tuple[str, ...] = (),
          keep: Callable[[Sentence], bool] | None = None) -> tuple[str, list[Citation]]:
    """The best sentences in reading order (those KEEP accepts, when given), neighbours of one paragraph merged into
    one quote."""
    sentences = [s for s in assessment.sentences if not _given(s.text, exclude)] if exclude else assessment.sentences
    chosen = [s for s in select(sentences, max_sentences) if keep is None or keep(s)]
    units = [Unit(first.paragraph, first.start, last.end, first.hit_score) for first, last in _merge(chosen)]
    said = [bare(u.text) for u in units]
    citations, parts = [], []
    for i, unit in enumerate(units):
        # the same sentence in two reports (or twice in one), or one another quote holds whole: quoted once
        if any(j != i and said[i] in said[j] and (said[i] != said[j] or j < i) for j in range(len(units))):
            continue
        citations.append(unit.citation(len(citations) + 1))
        parts.append(unit.text.rstrip(TRAILING) + f"[{len(citations)}]")
    return ("；".join(parts) + "。" if parts else ""), citations


def number(query: Query, assessment: Assessment, max_sentences: int, wants_date: bool) -> tuple[str, list[Citation]]:
    """The number or date asked for first, then the sentences that state one of its kind: once it is found, a quoted
    sentence without one adds nothing to the answer."""
    # what the previous answer quoted is not given again (「还有呢？」); the number led with is one the answer quotes
    sentences = [s for s in assessment.sentences if not _given(s.text, query.exclude)] if query.exclude \
        else assessment.sentences
    quoted = select(sentences, max_sentences)
    ranked = [s for s in sentences if s in quoted and NUMBER.search(s.text)]
    if wants_date or ASKS_WHEN.search(query.text):  # the date led with dates the event asked (加冕, not a wedding)
        event = when_event(query.text)
        ranked = [s for s in ranked if names_event(event, s.text)]
    found = next((m for m in (_mention(s.text, query.text, wants_date) for s in ranked) if m), None)
    holds = (lambda s: _states(s.text, query.text, wants_date)) if found else None
    text, citations = plain(assessment, max_sentences, query.exclude, keep=holds)
    return (f"{found}——{text}" if found and citations else text), citations


def yes_no(assessment: Assessment, max_sentences: int) -> tuple[str, list[Citation]]:
    text, citations = plain(assessment, max_sentences)
    return ("报告指出：" + text if text else text), citations


def listing(query: Query, assessment: Assessment) -> tuple[str, list[Citation]]:
    """The list's items (chosen by shape.py), numbered, with a count; capped with 「另有 N 项」: the most relevant
    LIST_CAP shown, in reading order."""
    units = [u for u in assessment.items if not _given(u.text, query.exclude)]
    if not units:
        return "", []
    best = sorted(range(len(units)), key=lambda i: -units[i].score)[:LIST_CAP]
    shown = [units[i] for i in sorted(best)]
    lines, citations = [], []
    for n, u in enumerate(shown, 1):
        citations.append(u.citation(n))
        lines.append(f"{n}. {u.text.rstrip(TRAILING)}[{n}]" + ("。" if n == len(shown) else "；"))
    head = f"报告中共有 {len(units)} 项：" if len(units) > 1 else "报告指出："
    text = head + "\n" + "\n".join(lines)
    if len(units) > len(shown):
        text += f"\n另有 {len(units) - len(shown)} 项，回复「还有呢」查看。"
    return text, citations


def overview(outline: list[tuple[Paragraph, Unit | None]], lede: Unit | None) -> tuple[str, list[Citation]]:
    """The report's structure: its lede, then each section's heading and lead sentence, each cited."""
    citations: list[Citation] = []
    lines: list[str] = []

    def cite(u: Unit) -> str:
        citations.append(u.citation(len(citations) + 1))
        return f"{u.text.rstrip(TRAILING)}[{len(citations)}]"

    if lede is not None:
        lines.append(cite(lede) + "。")
    if outline:
        lines.append(f"报告分 {len(outline)} 个部分：")
        for k, (first, lead) in enumerate(outline, 1):
            heading = Unit(first, 0, len(first.section or ""), heading=True)
            lines.append(f"{k}. {cite(heading)}" + (f"：{cite(lead)}。" if lead is not None else ""))
    return "\n".join(lines), citations


def locate(outline: list[tuple[Paragraph, Unit | None]]) -> tuple[str, list[Citation]]:
    """Where the previous answer's quotes stand: each paragraph's number and the section heading it is under."""
    citations: list[Citation] = []
    lines = []
    for p, _ in outline[:LIST_CAP]:
        if p.section:
            heading = Unit(p, 0, len(p.section), heading=True)
            citations.append(heading.citation(len(citations) + 1))
            named = f"「{heading.text}」" if "“" in heading.text else f"“{heading.text}”"
            lines.append(f"第{p.number}段，在{named}[{len(citations)}]这一部分")
        else:
            whole = Unit(p, 0, len(p.text))
            citations.append(whole.citation(len(citations) + 1))
            lines.append(f"第{p.number}段，在报告开头（小标题之前）[{len(citations)}]")
    if len(lines) == 1:
        return f"出自{lines[0]}。", citations
    return "出自：\n" + "\n".join(f"{k}. {line}；" for k, line in enumerate(lines, 1)), citations


def first_sentence(p: Paragraph) -> Unit | None:
    spans = split_sentences(p.text)
    return Unit(p, *spans[0]) if spans else None


def _span_asked(question: str, wants_date: bool) -> re.Pattern | None:
    """The pattern of what answers the question when it asks a date (何时) or a duration (多久); None: a count."""
    if wants_date or ASKS_WHEN.search(question):
        return _DATE
    if re.search(r"多久|多长时间|how long", question, re.I):
        return _DURATION  # how long is answered by a span of time, never by a count (「两个——」)
    return None


def _mention(sentence: str, question: str, wants_date: bool) -> str | None:
    """The number in SENTENCE that the question asks for: a date for 何时, a duration for 多久, else the count
    whose following words share most with the question."""
    span = _span_asked(question, wants_date)
    if span is not None:
        m = span.search(sentence)
        return m.group(0) if m else None
    found = [m for m in _COUNT.finditer(sentence) if _answers(m, sentence, question)]
    if not re.search(r"[\u4e00-\u9fff]", question):
        return found[0].group(0) if len(found) == 1 else None  # an English question names no unit to match
    best, best_share = None, 0  # a count followed by nothing the question says is not led with
    q = set(question) - FUNCTION_CHARS
    rates = [m for m in found if PERCENT.fullmatch(m.group(0))] \
        if ASKS_RATE.search(question) or ASKS_CHANGE.search(question) else []
    if rates:  # 「GDP增长率」「增长了多少」 are led by 2.6%, not the GDP — the first one when nothing beside them tells
        # them apart
        found = rates
    unit = ASKS_UNIT.search(question)  # 「多少个巡视组」: a count in 个 when the sentence has one
    if unit and unit.group(1) and any(m.group(0).endswith(unit.group(1)) for m in found):
        found = [m for m in found if m.group(0).endswith(unit.group(1))]
    for m in found:
        share = len(q & set(sentence[m.end():m.end() + 8]))
        if share > best_share:
            best, best_share = m.group(0), share
    return best or (rates[0].group(0) if rates else None)


def _states(sentence: str, question: str, wants_date: bool) -> bool:
    """Whether SENTENCE holds a number of the kind asked — a date, a span of time, or a count — whatever it counts."""
    span = _span_asked(question, wants_date)
    if span is not None:
        return bool(span.search(sentence))
    return any(_answers(m, sentence, question) for m in _COUNT.finditer(sentence))


def _answers(m: re.Match, sentence: str, question: str) -> bool:
    """Whether the count M of SENTENCE can be what a "how many" asks: a number, neither a year nor part of a date
    or time (「2022——」「10月——」 answered nothing), nor one the question itself names (「神舟十六号」's 十六)."""
    said = m.group(0)
    digits = re.match(r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]+", said)
    if not NUMBER.search(said) or not digits:
        return False
    if digits.group(0) in question:
        return False
    if PERCENT.fullmatch(said) and asks_amount(question):
        return False  # 「销量」 is not led by the market share 25.6%
    if any(n.start() <= m.start() < n.end() for n in LABELS.finditer(sentence)):
        return False  # part of a name (Q4, U14) or a list's numbering (「1、官网」), not a count
    quoted = m.start() and sentence[m.start() - 1] in "“「‘\""
    term = quoted and re.match(r"[^”」’\"]{1,8}(?=[”」’\"])", sentence[m.end():])
    if term and term.group(0) not in question:
        return False  # it opens a quoted name (“两个责任”), unless the question asks about that name (几个“落实”)
    after = sentence[m.end():m.end() + 1]
    if not ASKS_DURATION.search(question) and SPAN_AFTER.match(sentence, m.start() + digits.end()):
        return False  # 「6至12个月」 is how long something takes, not the count asked
    return not (re.fullmatch(r"(?:19|20)\d{2}", said) or after in "年月日号时:：点-/." and after)


def bare(text: str) -> str:
    """TEXT without punctuation or spaces: two quotes that differ only there say the same, and a quote retyped with
    full-width commas still matches the report."""
    return re.sub(r"[\W_]+", "", text)


def _given(text: str, exclude: tuple[str, ...]) -> bool:
    """TEXT is one of the quotes given before (EXCLUDE), or holds one or is held by one, punctuation aside."""
    said = bare(text)
    return bool(said) and any(e and (e in said or said in e) for e in map(bare, exclude))


def _merge(chosen: list[Sentence]) -> list[tuple[Sentence, Sentence]]:
    """Neighbouring sentences of one paragraph become one quote, so one claim has one marker."""
    groups: list[tuple[Sentence, Sentence]] = []
    for s in chosen:
        if groups:
            first, last = groups[-1]
            between = s.paragraph.text[last.end:s.start]
            if s.paragraph is last.paragraph and len(between) <= 6 and not any(c in "。！？!?" for c in between):
                groups[-1] = (first, s)
                continue
        groups.append((s, s))
    return groups


def draft(query: Query, hits: list[Hit], assessment: Assessment, max_sentences: int) -> tuple[str, list[Citation]]:
    """The extractive answer in the shape the assessment names (「简单点」: its best sentence only)."""
    shape = assessment.shape
    if query.kind == "brief":
        max_sentences = 1
        if shape == "list" and len(assessment.items) > 1:
            best = max(assessment.items, key=lambda u: u.score)
            return (f"{best.text.rstrip(TRAILING)}[1]。\n（报告中共有 {len(assessment.items)} 项，这是与问题最相关的一项；"
                    "回复「还有呢」查看其余。）"), [best.citation(1)]
        shape = "plain" if shape in ("list", "yesno") else shape
    if shape == "overview" and query.kind == "brief":
        text, citations = overview([(first, None) for first, _ in assessment.outline], None)
    elif shape == "overview":
        text, citations = overview(assessment.outline, assessment.lede)
    elif shape == "locate":
        text, citations = locate(assessment.outline)
    elif shape == "list":
        text, citations = listing(query, assessment)
        if not citations:
            text, citations = plain(assessment, max_sentences, query.exclude)
    elif shape == "number":
        text, citations = number(query, assessment, max_sentences, assessment.wants_date)
    elif shape == "yesno":
        text, citations = yes_no(assessment, max_sentences)
    else:
        text, citations = plain(assessment, max_sentences, query.exclude)
    if text and assessment.language == "en":
        text = ENGLISH_NOTE + text
    return text, citations
