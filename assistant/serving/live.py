"""The Assistant of a long-running process (the web chat, the HTTP API, MCP), kept in step with the index.

``assistant ingest`` in another terminal publishes a new index generation; a server that kept its Assistant would
go on answering from the old one (and its cited paragraphs would no longer match the 原文 of a new report). Every
request asks ``current()``: it compares the generation the index publishes now with the one loaded (a small file
read for an embedded index, at most every ``interval`` seconds for a Chroma server) and, when they differ, opens
the new one beside the old. One request does the reopening; the others go on with the old Assistant meanwhile,
so nobody waits on it. A failed reopen (an unreadable new index, a server away) is logged, not raised: the
request goes on with the old Assistant (whose own errors are then reported as usual) and the reopen is tried again
RETRY_AFTER seconds later.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from assistant.errors import AssistantError

log = logging.getLogger(__name__)
RETRY_AFTER = 5.0  # seconds before a failed reopen is tried again


class LiveAssistant:
    @classmethod
    def of(cls, assistant) -> "LiveAssistant":
        """ASSISTANT itself when it already is one (so the API and the web chat share one), else a new one."""
        return assistant if isinstance(assistant, cls) else cls(assistant)

    def __init__(self, assistant, interval: float | None = None, clock: Callable[[], float] = time.monotonic):
        self._assistant = assistant
        self.version = 0  # counts the reopenings, so a front end can tell its view is out of date
        location = getattr(getattr(assistant, "store", None), "location", None)
        self.interval = interval if interval is not None else (2.0 if getattr(location, "url", "") else 0.0)
        self._clock = clock
        self._checked = float("-inf")
        self._tried: str | None = None  # the published generation last reopened (don't reopen it on every request)
        self._reopening = threading.Lock()
        self._lock = threading.Lock()

    def current(self):
        """The Assistant to answer with: reopened first when the index changed since it was loaded."""
        if self._due() and self._reopening.acquire(blocking=False):
            try:
                self._refresh()
            finally:
                self._reopening.release()
        return self._assistant

    @property
    def loaded(self):
        """The Assistant loaded now, without looking at the index (for code on an event loop)."""
        return self._assistant

    def replace(self, assistant) -> None:
        """Use ASSISTANT from now on (the API's rebuild hook)."""
        with self._lock:
            self._assistant = assistant
            self.version += 1

    def _due(self) -> bool:
        now = self._clock()
        with self._lock:
            if now - self._checked < self.interval:
                return False
            self._checked = now
            return True

    def _refresh(self) -> None:
        old = self._assistant
        store = getattr(old, "store", None)
        published = store.published_generation() if hasattr(store, "published_generation") else None
        if not published or published in (store.generation, self._tried):
            return
        self._tried = published
        try:
            new = old.reopened()
        except AssistantError as e:
            log.warning("the index changed but could not be reopened (%s); still answering from the one loaded", e)
            with self._lock:
                self._tried, self._checked = None, self._clock() + RETRY_AFTER - self.interval
            return
        with self._lock:
            if self._assistant is old:
                self._assistant = new
                self.version += 1
        log.info("index reopened: generation %s → %s", store.generation, new.store.generation)
