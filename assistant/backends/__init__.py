"""Answer backends: one small interface, one module per provider, looked up by name."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Protocol

from ..contract import Citation
from ..relevance import Assessment
from ..retrieve import Hit, Query


@dataclass
class Draft:
    """A backend's answer: text with [n] markers and the citations those markers resolve to."""
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False


class Backend(Protocol):
    name: str

    def answer(self, query: Query, hits: list[Hit], assessment: Assessment) -> Draft:
        """Answer QUERY from HITS (ranked paragraphs); ASSESSMENT says which sentences bear on it."""

    def stream(self, query: Query, hits: list[Hit], assessment: Assessment) -> Iterator[str | Draft]:
        """Text pieces as they are produced, then the final Draft."""


def available() -> list[str]:
    return ["extractive"]


def create(name: str, **options) -> Backend:
    from ..errors import ConfigError

    if name == "extractive":
        from .extractive import ExtractiveBackend

        return ExtractiveBackend(**options)
    raise ConfigError(f"unknown backend '{name}' (available: {', '.join(available())})")
