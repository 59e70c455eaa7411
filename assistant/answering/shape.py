"""Deciding the shape of an answer from the question as understood and what was found: an overview only when
the question names no topic of its own (「请总结一下」, 「巡视发现了哪些问题」), then list, number, yes/no or plain;
an overview's outline is the report's own structure — each section's heading and the sentence that leads it."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from assistant.answering.calibration import LIST_RATIO, fitted
from assistant.answering.compose import FRAME, ITEM_END, Unit, bare, first_sentence
from assistant.answering.gaps import ASKS_MENTION, mentioned_words, missing_numbers, unmentioned_years
from assistant.answering.judge import Assessment, coverage, question_terms
from assistant.answering.retrieve import Hit, Query
from assistant.answering.understand import DOCUMENT, LIST, OVERVIEW, PART, Reading
from assistant.ingest.document import Paragraph

CONTINUES = re.compile(r"(有的|比如|例如|譬如|同时|此外|另外|其中|还有)")  # a paragraph going on with the last one
# A field of a scraped profile or table (「年龄：32」, 「世界排名：65」): an item only of a question about what it labels.
FIELD = re.compile(r"^\s*[\u4e00-\u9fffA-Za-z]{1,8}\s*[：:]\s*[^，。,；;：:]{0,12}$")
ABOUT_THE_REPORT = frozenset("报告 文章 通报 文件 全文 这篇 这份 内容 主要 巡视 发现 问题 情况 方面 部分 哪几 几个 几类 大概 "
                             "重点 核心 概括 总结 整体 总体 report article".split())
# Of those, the words that only frame a question (问题, 内容, 情况): a message naming nothing else names nothing of the
# reports. 巡视 frames an overview of an inspection report (「巡视发现了哪些问题」) but is its subject too:
# 「巡视花了多长时间」 asks about the report.
QUESTION_FRAME = ABOUT_THE_REPORT - {"巡视"}


# English words that frame a request for the whole report ("What is this report about? Give me the main points.")
EN_FRAME = frozenset("""what whats is are was were the a an this that these it its of in on for to me us please can could you
tell give show summarize summarise summary overview outline main key points point report article document text
about say says said does do cover covers covered mostly overall briefly short in brief gist structure sections
parts how organised organized""".split())


def is_overview(reading: Reading, paragraphs: Sequence, words, titles: Sequence[str] = ()) -> bool:
    """An overview question that names no topic beyond what the whole report is about."""
    if ASKS_MENTION.search(reading.text) or mentioned_words(reading.text):
        return False  # 「这篇文章说到旅游扶贫了吗？」 asks whether it says one thing, not what it says
    if getattr(reading, "language", "zh") == "en":
        # no Chinese words to weigh: an English request is for the whole only when all its words frame one
        # ("What does the report say about formalism?" names a topic)
        return reading.shape in ("overview", "list") and not [
            w for w in re.findall(r"[a-z]+", reading.text.lower()) if w not in EN_FRAME]
    if reading.shape == "list":
        # 「中央巡视组发现了哪些问题？」 of a report titled so; 「存在哪些问题？」 names no subject (no noun beyond the
        # report's own frame, nothing specific): its problems are the report's. 「中央单位被指出了哪些问题？」 names one
        named = [w for w, flag in words.tagged(reading.text)
                 if flag.startswith("n") and len(w) >= 2 and w not in ABOUT_THE_REPORT]
        whole = restates_title(reading.text, words, titles) or not named and not specific_words(
            reading.text, paragraphs, words, fitted("generic_share", 0.2), titles)
        whole = whole and not unknown_nouns(reading.text, paragraphs, words)
    elif reading.shape == "overview":
        # 「用三五句话给领导汇报一下这篇文章的主要内容」: the whole document is what is asked about; 「生态扶贫方面
        # 发现了什么问题？」 names a subject the report never mentions (a noun it never uses): not its outline
        whole = names_document(reading.text) or not specific_words(
            reading.text, paragraphs, words, fitted("generic_share", 0.2), titles)
        whole = whole and not unknown_nouns(reading.text, paragraphs, words)
    else:
        return False
    if not whole:
        return False
    everything = [p.text for p in paragraphs]  # 「第一轮巡视发现了什么问题？」 of a report on the second: not its summary
    return not (unmentioned_years(reading.text, everything) or missing_numbers(reading.text, everything))


def names_document(text: str) -> bool:
    """TEXT asks about the whole document (「这篇文章的主要内容」), not a part of it (「这篇报告里关于…的部分」)."""
    return bool(DOCUMENT.search(text) and not PART.search(text))


def names_the_whole(reading: Reading, words, titles: Sequence[str] = ()) -> bool:
    """The question names the whole document (「这篇新闻讲了什么」) or restates its title: it needs no conversation
    to be read as asking for the outline."""
    return names_document(reading.text) or restates_title(reading.text, words, titles)


def restates_title(text: str, words, titles: Sequence[str]) -> bool:
    """Every word the question is about is in a report's title (what the whole report is about)."""
    topic = [w for w in words.topic_words(text) if len(w) >= 2 and w not in ABOUT_THE_REPORT]
    return bool(topic) and any(all(w in t for w in topic) for t in titles)


def unknown_nouns(text: str, paragraphs: Sequence, words) -> list[str]:
    """The nouns of TEXT (jieba's n… tags, two characters or more) that no paragraph uses, leaving out words about
    the report and those inside the words that ask for its gist (结论, 要点, 这篇文章): what the question names
    beyond the report (生态, 疫苗, 网约车平台; the tagger calls 养老金 a person's name, so nr counts too)."""
    texts = [p.text for p in paragraphs]
    framed = " ".join(m.group() for m in [*OVERVIEW.finditer(text), *DOCUMENT.finditer(text)])
    return [w for w, flag in words.tagged(text)
            if flag.startswith("n") and len(w) >= 2 and w not in ABOUT_THE_REPORT
            and w not in framed and not any(w in t for t in texts)]


def specific_words(text: str, paragraphs: Sequence, words, generic_share: float, titles: Sequence[str] = ()
                   ) -> list[str]:
    """The question's words that name one part of the report: used by it, but in fewer than GENERIC_SHARE of its
    paragraphs (a word in many says what the whole report is about: 巡视, 扶贫; one it never uses names no part;
    one in the report's title is what the whole report is about)."""
    texts = [p.text for p in paragraphs]
    about = "\n".join(titles)
    out = []
    for w in words.topic_words(text):
        if len(w) < 2 or w in ABOUT_THE_REPORT or not texts or w in about:
            continue
        share = sum(w in t for t in texts) / len(texts)
        if 0 < share < generic_share:
            out.append(w)
    return out


def overview(retriever, words, sources: Sequence[str] | None) -> Assessment:
    """The outline of the first report (of SOURCES): its opening sentence, then each section's heading with the
    section's first sentence (news sections lead with their point)."""
    wanted = set(sources) if sources else None
    paragraphs = [p for p in retriever.paragraphs if wanted is None or p.source in wanted]
    if not paragraphs:
        return Assessment(False, "索引中没有段落", [])
    source = paragraphs[0].source
    paragraphs = [p for p in paragraphs if p.source == source]
    outline = []
    for heading in retriever.headings([source]):
        inside = [p for p in paragraphs if p.section == heading]
        outline.append((inside[0], first_sentence(inside[0])))
    opening = next((p for p in paragraphs if not p.section), paragraphs[0])
    return Assessment(True, "", [], 1.0, {}, shape="overview", outline=outline, lede=first_sentence(opening))


def locate(paragraphs, quotes) -> Assessment | None:
    """Where QUOTES (the previous answer's, verbatim) stand: the paragraphs holding them, in reading order; None
    when none is found (a model's paraphrase), so the question is answered the ordinary way."""
    found = {}
    texts = [(p, bare(p.text)) for p in paragraphs]  # once, not once per quote
    for q in quotes:
        # the quote itself, or after what an answer puts before it (「2018年10月17日——」, 「报告指出：」)
        tries = [bare(t) for t in [q] + [q.split(sep, 1)[1] for sep in ("——", "：") if sep in q]]
        p = next((p for t in tries if len(t) >= 4 for p, text in texts if t in text), None)
        if p is not None:
            found.setdefault((p.source, p.number), p)
    if not found:
        return None
    return Assessment(True, "", [], 1.0, {}, shape="locate", outline=[(p, None) for _, p in sorted(found.items())])


def shaped(assessment: Assessment, reading: Reading, query: Query, hits: list[Hit], words, lexicon) -> Assessment:
    """ASSESSMENT carrying the shape the question asks for (an overview question with a topic becomes a list),
    and for a list its items: every clause of the paragraphs that answer it."""
    shape = ("list" if LIST.search(reading.text) else "plain") if reading.shape == "overview" else reading.shape
    items: list[Unit] = []
    if shape == "list" and assessment.answerable:
        terms = question_terms(query.text, words, lexicon)
        items = [_scored(u, assessment.sentences) for p in _list_paragraphs(hits, assessment, terms, words, lexicon)
                 for u in _items(p) if not (FIELD.match(u.text) and coverage(terms, u.text, words, lexicon) == 0)]
    return replace(assessment, shape=shape, wants_date=reading.wants_date, language=reading.language, items=items)


def _list_paragraphs(hits: list[Hit], assessment: Assessment, terms: dict[str, float], words,
                     lexicon) -> list[Paragraph]:
    """The paragraphs a list is drawn from, in reading order: the one holding the best sentence, those of its
    section that score close to it, a retrieved paragraph that goes on with it (「有的被指出…」, 「比如,…」), and
    any retrieved paragraph — in whichever section — holding all the question's words the best one holds: the same
    kind of item told in each part of the report (「针对这些问题,中央巡视组明确要求…」 closes every section)."""
    if not hits:
        return []
    top = assessment.sentences[0].paragraph if assessment.sentences else hits[0].paragraph
    best = max(h.score for h in hits)
    full = coverage(terms, top.text, words, lexicon) if terms else 0.0
    chosen = {(top.source, top.number): top}
    for h in hits:
        p = h.paragraph
        same = p.section == top.section and p.source == top.source
        if same and (h.score >= LIST_RATIO * best or (p.number == top.number + 1 and CONTINUES.match(p.text))) \
                or full > 0 and coverage(terms, p.text, words, lexicon) >= full:
            chosen[(p.source, p.number)] = p
    return [chosen[k] for k in sorted(chosen)]


def _scored(u: Unit, sentences) -> Unit:
    """U with the score of the best ranked sentence it overlaps (0 when none was ranked)."""
    return replace(u, score=max((s.score for s in sentences if s.paragraph.source == u.paragraph.source
                                 and s.paragraph.number == u.paragraph.number and s.start < u.end and u.start < s.end),
                                default=0.0))


def _items(p: Paragraph) -> list[Unit]:
    """A paragraph's items: its clauses up to each 「；」 or sentence end, each without its frame."""
    out, start = [], 0
    text = p.text
    for m in list(ITEM_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s = start
        frame = FRAME.match(text, s, end)
        if frame and frame.end() < end:
            s = frame.end()
        while s < end and text[s] in " ，,、:：":
            s += 1
        if end - s >= 4:
            out.append(Unit(p, s, end))
        start = m.end() if m else len(text)
    return out

