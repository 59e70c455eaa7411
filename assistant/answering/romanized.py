"""Chinese places an English question writes in pinyin (Guizhou, Chengdu, Xinjiang): a question about a place the
reports never name is about somewhere else. A capitalised word is a place when jieba's dictionary has a place (tag
ns) read so — pypinyin's phrase readings, 成都 chengdu, 重庆 chongqing — and the reports name it when one of their
own words reads so (Jinping of 习近平 reads as no place; Huawei of 华为 reads as the reports' word, not 华威).
The places' table is built once (about a second) and kept in the tokenizer's cache folder, like its dictionary."""
from __future__ import annotations

import re
import threading
import weakref
from typing import Callable, Iterable, Protocol

# a capitalised word of four letters or more (Guizhou, Hainan); English words among them read as no place
CAPITALISED = re.compile(r"\b[A-Z][a-z]{3,}\b")
HAN = re.compile(r"[\u4e00-\u9fff]{2,}")


class Dictionary(Protocol):
    fingerprint: str  # which dictionary (jieba's and the user dictionaries)

    def dictionary_words(self, flag: str) -> list[str]: ...
    def rarity(self, word: str) -> float: ...


def reading(word: str) -> str:
    """WORD's toneless pinyin, lower case, run together (成都 → chengdu)."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word))


def by_reading(words: Iterable[str]) -> dict[str, list[str]]:
    """Each reading → the WORDS (of two Chinese characters or more) read so."""
    out: dict[str, list[str]] = {}
    for w in words:
        if HAN.fullmatch(w):
            out.setdefault(reading(w), []).append(w)
    return out


_lock = threading.Lock()
_places: "weakref.WeakKeyDictionary[Dictionary, dict[str, list[str]]]" = weakref.WeakKeyDictionary()


def places_by_reading(words: Dictionary) -> dict[str, list[str]]:
    """Reading → the places of WORDS' dictionary read so, commonest first."""
    from assistant.index.tokens import cached

    def build() -> dict[str, list[str]]:
        table = by_reading(words.dictionary_words("ns"))
        for names in table.values():
            names.sort(key=words.rarity)
        return table

    with _lock:
        if words not in _places:
            _places[words] = cached(f"places-{words.fingerprint}.marshal", build)
        return _places[words]


def unnamed_places(text: str, words: Dictionary, read_as: Callable[[str], list[str]]) -> list[str]:
    """The pinyin place names in TEXT that no word of the reports reads as (READ_AS: reading → the reports' words
    read so), each with the commonest Chinese it stands for: 「Guizhou（贵州）」. No capitalised word, no cost."""
    found = CAPITALISED.findall(text)
    if not found:
        return []
    table = places_by_reading(words)
    out = []
    for name in dict.fromkeys(found):
        places = table.get(name.lower())
        if places and not read_as(name.lower()):
            out.append(f"{name}（{places[0]}）")
    return out
