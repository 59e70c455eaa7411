"""Chinese tokenization with jieba and the domain user dictionary: the words BM25 and support checks compare."""
from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import re
import threading
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any, Callable

from assistant.errors import ConfigError

FROZEN_VERSION = "1"
DEFAULT_USER_DICT = Path(__file__).parent / "resources" / "userdict.txt"
# Function words and question words: they say what is asked, not what about.
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 或 等 对 把 被 将 也 都 就 又 还 而 并 其 之 于 以 为 从 由 向 到 中 上 下 个 这 那 这些 那些 这个 那个
此 该 各 有 有的 有些 一些 吗 呢 吧 啊 呀 么 什么 哪些 哪个 哪里 哪儿 哪 多少 几 几个 怎么 怎样 怎么样 如何 为什么 为何 谁
是否 是不是 请问 请 一下 方面 具体 具体指 指 文中 报告 提到 提及 说 讲 一共 总共 共 了解 问 呢 情况 我 你 他 她 它 我们 你们 他们
们 给 让 可以 能 会 要 应 应该 被指出 指出 这次 此次 本次 存在 问题 年 名 位 项 次 哪天 多长
""".split())
# Words a question uses to frame what it asks ("…的背景", "…是什么角色", "…有哪些表现"), not what it is about.
FRAME_WORDS = frozenset("""
表现 背景 角色 含义 意思 定义 内容 原因 作用 评价 看法 态度 特点 方式 目的 意义 结果 影响 程度 时间 多长时间 多久 多长 时候
关于 提出 主要 相关 有关 涉及 包括 包含 属于 出现 发现 怎么回事 介绍 说明 总结 概括 一下 哪方面 方面 地方
""".split())
# Characters that carry no topic; a token made only of them ("中有", "中是") is a segmentation by-product.
FUNCTION_CHARS = frozenset("的了是在和与及或等对把被将也都就又还而并其之于以为从由向到中上下这那此该各有吗呢吧啊呀么个")
_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]")


def _is_token(t: str) -> bool:
    return bool(_WORD.search(t)) and t not in STOPWORDS and not all(c in FUNCTION_CHARS for c in t)


class FrozenFreq:
    """jieba's word-frequency table as two sorted arrays (64-bit word hashes, frequencies).

    jieba keeps ~500k words and prefixes in a dict whose loading costs over a second on this machine, more than
    half the budget of a cold `assistant ask`. This table loads in milliseconds and answers the three questions
    jieba asks of it (``in``, ``[]``, ``get``) identically (a 64-bit hash collision among 500k keys has odds of
    about 1e-8). Lookups are ~20x slower than a dict, so bulk tokenization thaws the real dict first.
    """

    def __init__(self, hashes: array, freqs: array):
        self._hashes, self._freqs = hashes, freqs

    @staticmethod
    def key(word: str) -> int:
        return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")

    @classmethod
    def from_dict(cls, freq: dict[str, int]) -> "FrozenFreq":
        pairs = sorted((cls.key(w), f) for w, f in freq.items())
        return cls(array("Q", (h for h, _ in pairs)), array("Q", (f for _, f in pairs)))

    def _find(self, word: str) -> int:
        h = self.key(word)
        i = bisect_left(self._hashes, h)
        return i if i < len(self._hashes) and self._hashes[i] == h else -1

    def __contains__(self, word: str) -> bool:
        return self._find(word) >= 0

    def __getitem__(self, word: str) -> int:
        i = self._find(word)
        if i < 0:
            raise KeyError(word)
        return self._freqs[i]

    def get(self, word: str, default: int | None = None) -> int | None:
        i = self._find(word)
        return self._freqs[i] if i >= 0 else default

    def __len__(self) -> int:
        return len(self._hashes)

    def save(self, path: Path, total: int) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(array("Q", [len(self._hashes), total]).tobytes())
            f.write(self._hashes.tobytes())
            f.write(self._freqs.tobytes())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> tuple["FrozenFreq", int]:
        data = path.read_bytes()
        head = array("Q")
        head.frombytes(data[:16])
        n, total = head
        if len(data) != 16 + 16 * n:
            raise ValueError(f"{path}: truncated")
        hashes, freqs = array("Q"), array("Q")
        hashes.frombytes(data[16:16 + 8 * n])
        freqs.frombytes(data[16 + 8 * n:])
        return cls(hashes, freqs), total


def default_cache_dir() -> Path:
    """Where derived copies of library data are kept between runs (the frozen jieba dictionary, pinyin)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "report-assistant"


def cached(name: str, build: Callable[[], Any]) -> Any:
    """The table kept as NAME in the cache folder (marshal), else BUILD's, saved there for the next process."""
    import marshal

    path = default_cache_dir() / name
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(table))
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache: the next process builds it again
    return table


NAME_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
# adverb, adverbial adjective, preposition, conjunction, particle, pronoun: builds_sentences()
FUNCTION_TAGS = {"d", "ad", "p", "c", "u", "r"}
TITLES = re.compile(r"《[^》]{1,30}》")
LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]+(?:[ -][A-Z][A-Za-z0-9]+)*")


class Tokenizer:
    """A jieba tokenizer of its own (not jieba's global one) with the domain dictionaries loaded.

    It starts on a frozen copy of the dictionary (fast to load, slower to look up): right for questions.
    ``thaw()`` loads jieba's real dictionary for bulk work such as tokenizing a whole corpus; both give the
    same tokens.
    """

    def __init__(self, user_dicts: tuple[Path, ...] = (), cache_dir: Path | None = None):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba_mod = jieba
        self._lock = threading.Lock()
        self._pos = None  # jieba's part-of-speech tagger over this tokenizer, built on first use (names())
        self._function_words: frozenset[str] | None = None  # builds_sentences(): kept in the cache folder
        self._words: list[tuple[str, int | None]] = []
        fingerprint = hashlib.sha1(f"{FROZEN_VERSION}|{jieba.__version__}".encode())
        for path in (DEFAULT_USER_DICT, *user_dicts):
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise ConfigError(f"user dictionary {path} cannot be read: {e}") from None
            fingerprint.update(text.encode())
            for line in text.splitlines():
                parts = line.split()
                if parts and not parts[0].startswith("#"):
                    self._words.append((parts[0], int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None))
        self.fingerprint = fingerprint.hexdigest()[:16]  # recorded in the index: its BM25 tokens came from this
        self._cache = (cache_dir or default_cache_dir()) / f"jieba-{self.fingerprint}.freq"
        self._jieba = jieba.Tokenizer()
        self.frozen = False
        try:
            self._jieba.FREQ, self._jieba.total = FrozenFreq.load(self._cache)
            self._jieba.initialized = True
            self.frozen = True
        except (OSError, ValueError):
            self.thaw()

    def thaw(self) -> None:
        """Load jieba's real dictionary (about a second); save the frozen copy if there is none yet."""
        with self._lock:
            if not self.frozen and self._jieba.initialized:
                return
            fresh = self._jieba_mod.Tokenizer()
            fresh.initialize()
            for word, freq in self._words:
                fresh.add_word(word, freq)
            if not self._cache.is_file():
                try:
                    self._cache.parent.mkdir(parents=True, exist_ok=True)
                    FrozenFreq.from_dict(fresh.FREQ).save(self._cache, fresh.total)
                except OSError:
                    pass  # a read-only home: every start pays for the real dictionary, nothing else changes
            self._jieba, self.frozen = fresh, False

    def search_tokens(self, text: str) -> list[str]:
        """Tokens for BM25: jieba's search mode (words and their sub-words), lower-cased, stopwords removed."""
        return [t.lower() for t in self._jieba.lcut_for_search(text) if _is_token(t)]

    def words(self, text: str) -> list[str]:
        """Content words in jieba's precise mode, stopwords removed."""
        return [t.lower() for t in self._jieba.lcut(text) if _is_token(t)]

    def is_word(self, word: str) -> bool:
        """Whether jieba's dictionary (with the domain words) has WORD as a word, not only as a prefix."""
        return bool(self._jieba.FREQ.get(word))

    def rarity(self, word: str) -> float:
        """How rare WORD is in general Chinese: -log of its share in jieba's dictionary (a word it lacks counts as
        seen once). Everyday words (咋样, 毛病) score low; terms and names (不良率, 光伏) high."""
        total = getattr(self._jieba, "total", 0) or 1
        return math.log(total / max(1, self._jieba.FREQ.get(word) or 1))

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """TEXT's words with jieba's part-of-speech tags (n noun, ns place, v verb …). The tagger's table loads on
        first use (about 0.3 s)."""
        return [(w.word, w.flag) for w in self._tagger().cut(text)]

    def dictionary_words(self, flag: str) -> list[str]:
        """The dictionary's words jieba tags FLAG (ns: the places it knows, 贵州, 成都 …)."""
        return [w for w, f in self._tagger().word_tag_tab.items() if f == flag]

    def _tagger(self):
        with self._lock:
            if self._pos is None or self._pos.tokenizer is not self._jieba:
                import jieba.posseg

                self._pos = jieba.posseg.POSTokenizer(self._jieba)
            return self._pos

    def builds_sentences(self, word: str) -> bool:
        """Whether jieba's dictionary tags WORD an adverb, preposition, conjunction, particle or pronoun (不好, 到底,
        除了, 这些): a word a sentence is built of, which names no subject however often a report uses it."""
        if self._function_words is None:  # a few thousand words: no need to load the tagger's whole table for them
            self._function_words = frozenset(cached(f"function-words-{self.fingerprint}.marshal", lambda: sorted(
                w for w, flag in self._tagger().word_tag_tab.items() if flag in FUNCTION_TAGS)))
        return word in self._function_words

    def names(self, text: str) -> list[str]:
        """The proper names in TEXT — people, places, organisations, titles (tags nr, ns, nt, nz; 《…》; Latin words
        written with a capital)."""
        found = [w for w, flag in self.tagged(text) if flag in NAME_TAGS and len(w) >= 2]
        return found + TITLES.findall(text) + LATIN_NAME.findall(text)

    def topic_words(self, text: str) -> list[str]:
        """What a question is about: its content words without the words that frame the question."""
        return [t for t in self.words(text) if t not in FRAME_WORDS and not re.fullmatch(r"几\w?", t)]


@functools.lru_cache(maxsize=4)
def get_tokenizer(user_dicts: tuple[Path, ...] = ()) -> Tokenizer:
    """One tokenizer per dictionary set per process."""
    return Tokenizer(user_dicts)
