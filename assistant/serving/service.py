"""The Service every front (HTTP, OpenAI-compatible, MCP) answers from: the current Assistant, the rebuild
state, request checks and a bounded worker pool."""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Iterator

import anyio

from assistant.answering.assistant import Assistant
from assistant.answering.question import MAX_QUESTION_CHARS
from assistant.backends import choices
from assistant.config import Config
from assistant.contract import Answer, Passage
from assistant.serving.errors import ApiError
from assistant.serving.live import LiveAssistant


class Service:
    """What every route answers from: the current Assistant and whether the index is being
    rebuilt. A rebuild runs inside ``with service.rebuilding(): service.replace(new_assistant)``; meanwhile
    requests get 503 instead of waiting on a half-built index."""

    def __init__(self, assistant: "Assistant | LiveAssistant", config: Config):
        self.live = LiveAssistant.of(assistant)
        self.config = config
        assistant = self.live.current()
        self._lock = threading.Lock()
        self._rebuilding = 0
        # Extractive answers are CPU work (embedding, jieba): more threads than cores only trade throughput for
        # GIL contention (8 clients measured 14 req/s with 8 threads, 16-17 with 1-2). Model backends mostly wait.
        self.workers = 2 if getattr(assistant.backend, "grounded", True) else 16
        self._limiter: anyio.CapacityLimiter | None = None

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[None]:
        with self._lock:
            self._rebuilding += 1
        try:
            yield
        finally:
            with self._lock:
                self._rebuilding -= 1

    @property
    def is_rebuilding(self) -> bool:
        return self._rebuilding > 0

    @property
    def assistant(self) -> Assistant:
        """The Assistant loaded now; ``current()`` and ``refresh()`` first reopen the index when another process
        has ingested since (live.py)."""
        return self.live.loaded

    async def refresh(self) -> None:
        """For routes on the event loop: look for a newer index in a thread (reopening it takes a moment)."""
        await anyio.to_thread.run_sync(self.live.current)

    def replace(self, assistant: Assistant) -> None:
        self.live.replace(assistant)

    def current(self) -> Assistant:
        """The Assistant to ask; 503 while the index is being rebuilt."""
        if self.is_rebuilding:
            raise ApiError(503, "索引正在重建，请稍后再试（the index is being rebuilt, retry shortly）",
                           "service_unavailable", "index_rebuilding", {"Retry-After": "10"})
        return self.live.current()

    async def run(self, fn, *args, **kwargs):
        """Run a blocking call (an answer) in a worker thread, at most `workers` at once; the rest wait their
        turn on the event loop rather than as threads fighting over the GIL and the embedder's lock."""
        if self._limiter is None:  # made on the server's event loop
            self._limiter = anyio.CapacityLimiter(self.workers)
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self._limiter)

    def ask(self, question: Any, history: Any = None, top_k: int | None = None, backend: str | None = None,
            id: Any = None, sources: Any = None) -> Answer:
        _check_backend(backend, self.config)
        _check_length(question)
        return self.current().ask(question, history, top_k, id=id, backend=backend, sources=sources)

    def stream(self, question: Any, history: Any = None, top_k: int | None = None,
               backend: str | None = None, sources: Any = None) -> Iterator[str | Answer]:
        _check_backend(backend, self.config)
        _check_length(question)
        return self.current().stream(question, history, top_k, backend=backend, sources=sources)

    def sources(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for p in self.assistant.retriever.paragraphs:
            counts[p.source] = counts.get(p.source, 0) + 1
        return counts

    def paragraph(self, number: int, source: str | None = None) -> Passage:
        """Paragraph NUMBER of SOURCE (which may be left out while only one report is indexed)."""
        a = self.current()
        sources = self.sources()
        if source is None:
            if len(sources) != 1:
                raise ApiError(400, f"several reports are indexed; give source (one of: {', '.join(sources)})",
                               code="source_required")
            source = next(iter(sources))
        if source not in sources:
            raise ApiError(404, f"no report '{source}' (indexed: {', '.join(sources)})", code="unknown_source")
        p = a.paragraph(source, number)
        if p is None:
            raise ApiError(404, f"{source} has no paragraph {number} (paragraphs 1–{sources[source]})",
                           code="unknown_paragraph")
        return p


def _check_backend(backend: str | None, config) -> None:
    if backend is not None and backend not in choices.keys(config):
        raise ApiError(400, f"unknown backend '{backend}' (available: {', '.join(choices.keys(config))})",
                       code="unknown_backend")


def _check_length(question: Any) -> None:
    # 413 rather than the 400 a malformed question gets: the request is well formed, only too big.
    if isinstance(question, str) and len(" ".join(question.split())) > MAX_QUESTION_CHARS:
        raise ApiError(413, f"问题太长，请控制在 {MAX_QUESTION_CHARS} 字以内（question over {MAX_QUESTION_CHARS} "
                            "characters）", code="question_too_long")
