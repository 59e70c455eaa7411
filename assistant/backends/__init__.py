"""Answer backends: one small interface, one module per provider, looked up by name.

``extractive`` composes the report's own sentences (offline, instant). The model backends (``openai``, ``ollama``,
``llamacpp``) share ``chat.ChatBackend``: they return the model's text with its [n] markers, which the Assistant
verifies (``grounded = False``); each imports its client library only when it is first used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol, Sequence

from assistant.answering.judge import Assessment
from assistant.answering.retrieve import Hit, Query
from assistant.contract import Citation
from assistant.errors import AssistantError


@dataclass
class Draft:
    """A backend's answer: text with [n] markers and the citations those markers resolve to.

    A model backend leaves ``citations`` empty: ``k`` says how many passages its prompt numbered [1]…[k]."""
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    k: int | None = None


class BackendError(AssistantError):
    """A model backend failed (unreachable, timed out, HTTP error, malformed or empty reply)."""

    def __init__(self, backend: str, reason: str):
        super().__init__(f"{backend}: {reason}")
        self.backend, self.reason = backend, reason


class Backend(Protocol):
    name: str
    grounded: bool  # True when its citations are built from quotes (extractive); False: verify them

    def answer(self, query: Query, hits: list[Hit], assessment: Assessment, history: Sequence[dict] = ()) -> Draft:
        """Answer QUERY from HITS (ranked paragraphs); ASSESSMENT says which sentences bear on it."""

    def stream(self, query: Query, hits: list[Hit], assessment: Assessment,
               history: Sequence[dict] = ()) -> Iterator[str | Draft]:
        """Text pieces as they are produced, then the final Draft."""


_MODULES = {"extractive": ("extractive", "ExtractiveBackend"), "openai": ("openai", "OpenAIBackend"),
            "ollama": ("ollama", "OllamaBackend"), "llamacpp": ("llamacpp", "LlamaCppBackend")}


def available() -> list[str]:
    return list(_MODULES)


def create(name: str, config: Any = None, **options) -> Backend:
    """The backend called NAME; model backends read their settings from CONFIG."""
    import importlib

    from assistant.errors import ConfigError

    if name not in _MODULES:
        raise ConfigError(f"unknown backend '{name}' (available: {', '.join(available())})")
    module, cls = _MODULES[name]
    backend_cls = getattr(importlib.import_module(f"{__name__}.{module}"), cls)
    if name == "extractive":
        if config is not None:
            options.setdefault("max_sentences", config.max_sentences)
        return backend_cls(**options)
    if config is None:
        from assistant.config import load_config

        config = load_config()
    return backend_cls(config, **options)
