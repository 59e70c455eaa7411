"""Question answering over Chinese reports, with every answer citing the paragraphs it quotes.

>>> from assistant import Assistant
>>> answer = Assistant.from_config().ask("巡视组从哪天开始进驻？")
>>> print(answer.format())
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

from .config import SETTINGS, Config, load_config
from .contract import Answer, Citation, Passage
from .errors import AssistantError, ConfigError, IndexStoreError, QuestionError, ReadError

if TYPE_CHECKING:
    from .answer import Assistant


def __getattr__(name: str) -> Any:
    # Assistant pulls in numpy, jieba and chromadb; importing the package for its contract types should not.
    if name == "Assistant":
        from .answer import Assistant

        return Assistant
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
