"""Citations from a model, verified rather than trusted.

A model writes text with markers ([1], [1][2], [1, 2], 【1】) naming the numbered passages of its prompt. Here each
sentence of that text is checked against the paragraphs it cites: its content words (jieba, weighted by rarity) must
be found there, and every number, date and quantity in it must appear there. A citation that fails is moved to a
passage that supports the sentence, or kept but marked unverified; a sentence the model left uncited gets the
passage that supports it, or is listed as unsupported. Every quote is a verbatim sentence of its paragraph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from assistant.answering.calibration import SUPPORT_MIN
from assistant.answering.gaps import DIGITS, cn_value
from assistant.answering.judge import Lexicon, Words, coverage, question_terms
from assistant.contract import Citation
from assistant.ingest.document import split_sentences

_NUMS = r"\d+(?:\s*(?:[,，、]|-|–|~)\s*\d+)*"
MARKER = re.compile(rf"\s*(?:\[\s*(?:资料|段落|来源|passage)?\s*({_NUMS})\s*\]|【\s*(?:资料|段落|来源)?\s*({_NUMS})\s*】)")
CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?=[个家名位项次年月日天周轮批人所条件省市县倍%％])")
REFUSAL = re.compile(r"(资料|报告|文中|段落|材料|原文|上述|以上)[中里内]?(并|均|都)?(没有|未|不|无)(提到|提及|包含|涉及|找到|说明|给出|记载|有|明确|相关)"
                     r"|没有(这个|该|此)?问题的答案|无法(回答|确定|得知|从|根据|判断)|没有(找到)?(相关|具体)(的)?(信息|内容|答案|数据)")
_TRAILING = "。；;，,、！!？?：: \n"
_CLOSERS = "”’\"'）)」』】"


def numbers(text: str) -> set[str]:
    """Every number in TEXT as digits, Chinese numerals before a measure word included (两家 → 2)."""
    found = {n.lstrip("0") or "0" for n in DIGITS.findall(text.replace(",", ""))}
    found |= {str(v) for m in CN_NUMBER.finditer(text) if (v := cn_value(m.group())) is not None}
    return found


def looks_like_refusal(text: str) -> bool:
    return bool(REFUSAL.search(text))


def marker_numbers(spec: str) -> list[int]:
    """'1, 3' → [1, 3]; '2-4' → [2, 3, 4]."""
    out: list[int] = []
    for part in re.split(r"\s*[,，、]\s*", spec.strip()):
        m = re.fullmatch(r"(\d+)\s*[-–~]\s*(\d+)", part)
        if m and 0 <= int(m.group(2)) - int(m.group(1)) <= 10:
            out.extend(range(int(m.group(1)), int(m.group(2)) + 1))
        elif part.isdigit():
            out.append(int(part))
    return list(dict.fromkeys(out))


@dataclass
class Claim:
    text: str
    cited: list[int]  # passage numbers, as the model wrote them
    line_end: bool  # the model ended a line after it


def claims(text: str) -> list[Claim]:
    """The sentences of TEXT with the passage numbers each cites; a marker after a sentence's end is its own."""
    plain, marks = [], []  # text without markers; (position in plain text, numbers)
    last = 0
    for m in MARKER.finditer(text):
        plain.append(text[last:m.start()])
        marks.append((sum(map(len, plain)), marker_numbers(m.group(1) or m.group(2))))
        last = m.end()
    plain.append(text[last:])
    bare = "".join(plain)
    spans, out = [], []
    for line in re.finditer(r"[^\n]+", bare):
        sentences = split_sentences(line.group())
        for i, (s, e) in enumerate(sentences):
            spans.append((line.start() + s, line.start() + e))
            out.append(Claim(line.group()[s:e], [], i == len(sentences) - 1))
    for pos, ns in marks:
        i = next((j for j, (s, e) in enumerate(spans) if pos < e), len(spans) - 1)
        if i > 0 and not bare[spans[i][0]:pos].strip():
            i -= 1  # "…进驻。[1]" — the marker closes the sentence before it
        if i >= 0:
            out[i].cited.extend(n for n in ns if n not in out[i].cited)
    return out


@dataclass
class Support:
    ok: bool
    coverage: float
    start: int
    end: int
    missing_numbers: list[str]


def support(claim: str, paragraph, words: Words, lexicon: Lexicon) -> Support:
    """How well PARAGRAPH supports CLAIM, and the sentence of it that quotes best."""
    terms = question_terms(claim, words, lexicon)
    context = (paragraph.section or "") + "\n" + paragraph.text
    cov = coverage(terms, context, words) if terms else 0.0
    missing = sorted(numbers(claim) - numbers(context))
    best, best_cov = (0, len(paragraph.text)), -1.0
    for s, e in split_sentences(paragraph.text) or [(0, len(paragraph.text))]:
        c = coverage(terms, paragraph.text[s:e], words) if terms else 0.0
        c += 0.5 * sum(n in numbers(paragraph.text[s:e]) for n in numbers(claim))
        if c > best_cov:
            best, best_cov = (s, e), c
    return Support(bool(terms) and cov >= SUPPORT_MIN and not missing, cov, best[0], best[1], missing)


@dataclass
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # sentences no passage supports (cited or not)
    dropped: int = 0  # markers that named no passage
    recovered: int = 0  # uncited sentences given the passage that supports them
    reattached: int = 0  # citations moved to the passage that does support the sentence

    @property
    def verified(self) -> int:
        return sum(c.verified for c in self.citations)


# Words an answer uses to frame itself ("根据资料，…如下："), not to say anything about the report.
FRAMING = frozenset("资料 根据 以上 如下 综上 综上所述 总之 总结 回答 答案 问题 以下 下列 几点 所述 提供".split())


def is_claim(sentence: str, words: Words) -> bool:
    """A sentence that says something about the report (not "根据资料：" or "综上所述，")."""
    if sentence.rstrip().endswith((":", "：")) or looks_like_refusal(sentence):
        return False  # an introduction, or "资料中没有提到…": says something about the passages, not the report
    return any(w not in FRAMING for w in words.topic_words(sentence)) and len(re.sub(r"\W", "", sentence)) >= 4


def verify(text: str, hits: Sequence, words: Words, lexicon: Lexicon, k: int | None = None) -> Verified:
    """TEXT's markers resolved against HITS[:k] (the passages numbered [1]…[k] in the prompt), checked and renumbered."""
    k = len(hits) if k is None else min(k, len(hits))
    out = Verified("")
    parts: list[str] = []
    for claim in claims(text):
        sentence, cited = claim.text, claim.cited
        end = "\n" if claim.line_end else ""
        valid = [n for n in cited if 1 <= n <= k]
        out.dropped += len(cited) - len(valid)
        if not is_claim(sentence, words):
            parts.append(sentence + end)
            continue
        checks = {n: support(sentence, hits[n - 1].paragraph, words, lexicon) for n in valid}
        chosen = [n for n in valid if checks[n].ok]
        if not chosen:
            others = {n: support(sentence, hits[n - 1].paragraph, words, lexicon) for n in range(1, k + 1)
                      if n not in checks}
            good = sorted((n for n, s in others.items() if s.ok), key=lambda n: -others[n].coverage)
            if good:
                chosen = good[:1]
                checks.update(others)
                out.reattached += bool(valid)
                out.recovered += not valid
        if not chosen:
            out.unsupported.append(sentence)
        markers = ""
        for n in chosen or valid[:1]:
            s, p = checks[n], hits[n - 1].paragraph
            c = Citation(len(out.citations) + 1, p.source, p.number, p.section, p.text, p.text[s.start:s.end],
                         s.start, s.end, round(hits[n - 1].score, 4), verified=bool(chosen))
            out.citations.append(c)
            markers += f"[{c.n}]"
        parts.append(_attach(sentence, markers) + end)
    out.text = "".join(parts).strip()
    return out


def _attach(sentence: str, markers: str) -> str:
    """Markers go before the sentence's closing punctuation, after a closing quote: "…“尽锐出战”[1]。"."""
    body = sentence.rstrip(_TRAILING)
    tail = sentence[len(body):]
    return body + markers + tail if markers else sentence
