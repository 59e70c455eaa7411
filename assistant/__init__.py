"""Question answering over Chinese reports, with every answer citing the paragraphs it quotes.

>>> from assistant import Assistant
>>> assistant = Assistant.from_config()            # settings from assistant.toml / ASSISTANT_* / defaults
>>> answer = assistant.ask("巡视组从哪天开始进驻？")
>>> print(answer.format())                          # the text, then each [n] with its verbatim quote
>>> answer.citations[0].paragraph, answer.to_dict()["citations"][0]["quote"]
>>> for piece in assistant.stream("那交通方面呢？", history=[{"role": "user", "content": "巡视发现了哪些问题？"}]):
...     print(piece if isinstance(piece, str) else "\\n" + piece.sources_text())

``Answer.to_dict()`` is the JSON contract that ``assistant ask --json``, ``POST /api/ask`` and (as ``citations``)
``POST /v1/chat/completions`` return. Every error a person may see is an ``AssistantError``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "Config",
    "ConfigError",
    "IndexStoreError",
    "Passage",
    "QuestionError",
    "ReadError",
    "SETTINGS",
    "load_config",
]
__version__ = "0.1.0"

from assistant.config import SETTINGS, Config, load_config
from assistant.contract import Answer, Citation, Passage
from assistant.errors import (
    AssistantError,
    ConfigError,
    IndexStoreError,
    QuestionError,
    ReadError,
)

if TYPE_CHECKING:
    from assistant.answering.assistant import Assistant


def __getattr__(name: str) -> Any:
    # Assistant pulls in numpy, jieba and chromadb; importing the package for its contract types should not.
    if name == "Assistant":
        from assistant.answering.assistant import Assistant

        return Assistant
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
