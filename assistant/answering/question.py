"""Reading a question: what a person typed, as clean text, or a QuestionError that says what is wrong."""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Callable, Protocol, Sequence

from assistant.errors import QuestionError
from assistant.index.tokens import FUNCTION_CHARS

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def clean_question(question: Any) -> str:
    """A question as text, or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文本（question must be a string）")
    if _SURROGATE.search(question):  # "\ud800" in JSON: not text any encoder can write back
        raise QuestionError("问题里有无效的字符（a lone UTF-16 surrogate），请重新输入")
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
            text = _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", m["content"]))
            out.append({"role": m["role"], "content": text[:MAX_QUESTION_CHARS]})
    return out[-MAX_HISTORY_TURNS:]


NAMES_SHOWN = 10  # file names an error lists before 「等 N 个」: a library of thousands is not printed whole


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" 等 {len(names)} 个" if len(names) > NAMES_SHOWN else "")


def clean_sources(sources: Any, indexed: Sequence[str], skipped: Sequence[str] = ()) -> list[str] | None:
    """The sources a question is restricted to (None: all), or QuestionError naming the indexed ones — and, for a
    file the index passed over (SKIPPED: unreadable, or no text left after cleaning), saying so."""
    if sources is None:
        return None
    if not isinstance(sources, (list, tuple)) or not all(isinstance(s, str) for s in sources):
        raise QuestionError("sources 必须是文件名列表（sources must be a list of file names；已索引："
                            f"{_names(indexed)}）")
    unknown = [s for s in sources if s not in indexed]
    passed = [s for s in unknown if s in skipped]
    if passed:
        raise QuestionError(f"这些文件建索引时已跳过（无法读取或没有正文）：{_names(passed)}（indexed sources: "
                            f"{_names(indexed)}）")
    if unknown:
        raise QuestionError(f"没有这些来源：{_names(unknown)}（indexed sources: {_names(indexed)}）")
    return list(dict.fromkeys(sources)) or None


# Full-width letters and digits (Ｆ, ３) as ASCII; Chinese punctuation stays as typed (it is read as punctuation).
WIDTH = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}


def normalise(text: str) -> str:
    """One script and one width: full-width letters and digits folded, traditional characters converted to
    simplified (OpenCC's t2s tables), so that a question matches the report however it was typed."""
    return _t2s(text.translate(WIDTH))


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _t2s(text: str) -> str:
    return _converter().convert(text) if re.search(r"[\u4e00-\u9fff]", text) else text


class Vocabulary(Protocol):
    def known(self, word: str) -> bool: ...
    def near(self, piece: str) -> list[str]: ...  # the reports' words of PIECE's length differing in one character


def fix_typos(text: str, vocab: Vocabulary, is_word: Callable[[str], bool]) -> str:
    """Homophone typos from pinyin input (寻视组 → 巡视组, 扶频 → 扶贫): a run of two to four Chinese characters
    that the report never uses and that is no dictionary word is replaced by the report's word that differs in one
    character read the same way, when that character makes no word with its neighbours. Words the report or the
    dictionary knows are left alone."""
    out, i = [], 0
    for m in re.finditer(r"[\u4e00-\u9fff]+", text):
        out.append(text[i:m.start()])
        out.append(_fix_run(m.group(0), vocab, is_word))
        i = m.end()
    out.append(text[i:])
    return "".join(out)


def _fix_run(run: str, vocab: Vocabulary, is_word: Callable[[str], bool]) -> str:
    chars = list(run)
    k = 0
    while k < len(chars):
        fixed = False
        for n in (4, 3, 2):
            piece = "".join(chars[k:k + n])
            if len(piece) < n or vocab.known(piece) or is_word(piece):
                continue
            for cand in vocab.near(piece):
                i = next(j for j, (a, b) in enumerate(zip(piece, cand)) if a != b)
                if piece[i] in FUNCTION_CHARS:
                    continue  # 是, 的, 在 are the words a sentence is built of, not slips (你是用 is not 你使用)
                if _sound(piece[i]) == _sound(cand[i]) and _garbled("".join(chars), k + i, is_word):
                    chars[k:k + n] = list(cand)
                    fixed = True
                    break
            if fixed:
                k += n
                break
        if not fixed:
            k += 1
    return "".join(chars)


def _garbled(run: str, i: int, is_word: Callable[[str], bool]) -> bool:
    """The character at I makes no word with either neighbour: 寻 in 寻视组 does not, 出 in 提出了 does (提出), so
    出了 is not taken for 除了."""
    pairs = [run[j:j + 2] for j in (i - 1, i) if 0 <= j and j + 2 <= len(run)]
    return all(not is_word(pair) for pair in pairs)


def _sound(ch: str) -> str:
    """CH's everyday reading without tone: a pinyin slip types the sound meant, and a character's rare readings
    (位 read li, as in 莅) would make 单例 a slip for 单位."""
    return _sound_table().get(ch) or ch


@functools.lru_cache(maxsize=1)
def _sound_table() -> dict[str, str]:
    """Each character's first (most common) reading without tone, from pypinyin's character table. Importing that
    table takes a quarter of a second, so a toneless copy is kept in the cache folder the tokenizer uses."""
    from assistant.index.tokens import cached

    def build() -> dict[str, str]:
        from pypinyin.pinyin_dict import pinyin_dict

        return {chr(code): "".join(c for c in unicodedata.normalize("NFD", readings.split(",")[0])
                                   if not unicodedata.combining(c))
                for code, readings in pinyin_dict.items()}
    return cached("pinyin-toneless-v2.marshal", build)
