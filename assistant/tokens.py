"""Chinese tokenization with jieba and the domain user dictionary: the words BM25 and support checks compare."""
from __future__ import annotations

import functools
import logging
import re
import threading
from pathlib import Path

from .errors import ConfigError

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
主要 相关 有关 涉及 包括 包含 属于 出现 发现 怎么回事 介绍 说明 总结 概括 一下 哪方面 方面 地方
""".split())
# Characters that carry no topic; a token made only of them ("中有", "中是") is a segmentation by-product.
FUNCTION_CHARS = frozenset("的了是在和与及或等对把被将也都就又还而并其之于以为从由向到中上下这那此该各有吗呢吧啊呀么个")
_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]")


def _is_token(t: str) -> bool:
    return bool(_WORD.search(t)) and t not in STOPWORDS and not all(c in FUNCTION_CHARS for c in t)


class Tokenizer:
    """A jieba tokenizer of its own (not jieba's global one) with the domain dictionary loaded."""

    def __init__(self, user_dicts: tuple[Path, ...] = ()):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()  # jieba's lazy initialisation is not thread-safe
        for path in (DEFAULT_USER_DICT, *user_dicts):
            try:
                lines = Path(path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                raise ConfigError(f"user dictionary {path} cannot be read: {e}") from None
            for line in lines:
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                self._jieba.add_word(parts[0], freq)

    def _ready(self) -> None:
        if not self._jieba.initialized:
            with self._lock:
                self._jieba.initialize()

    def search_tokens(self, text: str) -> list[str]:
        """Tokens for BM25: jieba's search mode (words and their sub-words), lower-cased, stopwords removed."""
        self._ready()
        return [t.lower() for t in self._jieba.lcut_for_search(text) if _is_token(t)]

    def words(self, text: str) -> list[str]:
        """Content words in jieba's precise mode, stopwords removed."""
        self._ready()
        return [t.lower() for t in self._jieba.lcut(text) if _is_token(t)]

    def topic_words(self, text: str) -> list[str]:
        """What a question is about: its content words without the words that frame the question."""
        return [t for t in self.words(text) if t not in FRAME_WORDS and not re.fullmatch(r"几\w?", t)]


@functools.lru_cache(maxsize=4)
def get_tokenizer(user_dicts: tuple[Path, ...] = ()) -> Tokenizer:
    """One tokenizer per dictionary set per process: loading jieba's dictionary costs about a second."""
    return Tokenizer(user_dicts)
