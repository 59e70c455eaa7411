"""Reading a question: what a person typed, as clean text, or a QuestionError that says what is wrong."""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Callable, Protocol, Sequence

from assistant.errors import QuestionError

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def clean_question(question: Any) -> str:
    """A question as text, or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本（question must be a string）")
    q = _CONTROL.sub(" ", question)
    q = re.sub(r"\s+", " ", q).strip()
    if not q:
        raise QuestionError("问题是空的，请输入一个关于报告的问题")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"问题太长（{len(q)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
    if not re.search(r"[\w\u4e00-\u9fff]", q):
        raise QuestionError("问题里没有文字，请输入一个关于报告的问题")
    return q


def clean_history(history: Any) -> list[dict]:
    """OpenAI-style messages; unknown roles and empty turns are dropped, only recent turns are kept."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise QuestionError("history 必须是消息列表：[{\"role\": \"user\", \"content\": \"…\"}, …]")
    out = []
    for m in history:
        if not isinstance(m, dict) or not isinstance(m.get("content"), str):
            raise QuestionError("history 中的每条消息都必须是 {\"role\": …, \"content\": 文本}")
        if m.get("role") in ("user", "assistant") and m["content"].strip():
            out.append({"role": m["role"], "content": _CONTROL.sub(" ", m["content"])[:MAX_QUESTION_CHARS]})
    return out[-MAX_HISTORY_TURNS:]


def clean_sources(sources: Any, indexed: Sequence[str]) -> list[str] | None:
    """The sources a question is restricted to (None: all), or QuestionError naming the indexed ones."""
    if sources is None:
        return None
    if not isinstance(sources, (list, tuple)) or not all(isinstance(s, str) for s in sources):
        raise QuestionError("sources 必须是文件名列表（sources must be a list of file names；已索引："
                            f"{', '.join(indexed)}）")
    unknown = [s for s in sources if s not in indexed]
    if unknown:
        raise QuestionError(f"没有这些来源：{', '.join(unknown)}（indexed sources: {', '.join(indexed)}）")
    return list(dict.fromkeys(sources)) or None


# Full-width letters and digits (Ｆ, ３) as ASCII; Chinese punctuation stays as typed (it is read as punctuation).
_WIDTH = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}


def normalise(text: str) -> str:
    """One script and one width: full-width letters and digits folded, traditional characters converted to
    simplified (OpenCC's t2s tables), so that a question matches the report however it was typed."""
    return _t2s(text.translate(_WIDTH))


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _t2s(text: str) -> str:
    return _converter().convert(text) if re.search(r"[\u4e00-\u9fff]", text) else text


class Vocabulary(Protocol):
    def known(self, word: str) -> bool: ...
    def homophones(self, pinyin: tuple[str, ...]) -> list[str]: ...


def fix_typos(text: str, vocab: Vocabulary, is_word: Callable[[str], bool]) -> str:
    """Homophone typos from pinyin input (寻视组 → 巡视组, 扶频 → 扶贫): a run of two to four Chinese characters
    that the report never uses and that is no dictionary word is replaced by the report's word that sounds the
    same and differs in one character. Words the report or the dictionary knows are left alone."""
    out, i = [], 0
    runs = list(re.finditer(r"[\u4e00-\u9fff]+", text))
    if not runs:
        return text
    from pypinyin import lazy_pinyin  # imported only for a question with Chinese text (0.2 s, once)

    for m in runs:
        out.append(text[i:m.start()])
        out.append(_fix_run(m.group(0), vocab, is_word, lazy_pinyin))
        i = m.end()
    out.append(text[i:])
    return "".join(out)


def _garbled(run: str, k: int, piece: str, cand: str, is_word: Callable[[str], bool]) -> bool:
    """The character that differs (at K + i in RUN) makes no word with either neighbour: 寻 in 寻视组 does not,
    出 in 提出了 does (提出), so 出了 is not taken for 除了."""
    i = k + next(j for j, (a, b) in enumerate(zip(piece, cand)) if a != b)
    pairs = [run[j:j + 2] for j in (i - 1, i) if 0 <= j and j + 2 <= len(run)]
    return all(not is_word(pair) for pair in pairs)


def _fix_run(run: str, vocab: Vocabulary, is_word: Callable[[str], bool], pinyin) -> str:
    chars = list(run)
    sounds = pinyin(run)
    if len(sounds) != len(chars):
        return run
    k = 0
    while k < len(chars):
        fixed = False
        for n in (4, 3, 2):
            piece = "".join(chars[k:k + n])
            if len(piece) < n or vocab.known(piece) or is_word(piece):
                continue
            for cand in vocab.homophones(tuple(sounds[k:k + n])):
                if sum(a != b for a, b in zip(cand, piece)) == 1 and _garbled("".join(chars), k, piece, cand,
                                                                               is_word):
                    chars[k:k + n] = list(cand)
                    k += n
                    fixed = True
                    break
            if fixed:
                break
        if not fixed:
            k += 1
    return "".join(chars)
